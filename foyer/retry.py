"""The platform's retry policy: exponential backoff with full jitter, bounded in attempts and in time.

Full jitter (a uniform wait between 0 and the exponential bound) spreads out clients that failed
together, which is what contention on one DynamoDB item or one flaky dependency produces. A failure
that says when to come back (an HTTP 429 or 503 with `Retry-After`) carries it as `retry_after_s`,
and the wait is then at least that long.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    TryAgain,
    retry_if_exception_type,
    stop_after_attempt,
    stop_before_delay,
    wait_random_exponential,
)
from tenacity.stop import stop_base
from tenacity.wait import wait_base

__all__ = ["TryAgain", "async_attempts", "attempts", "retry_after"]


def retry_after(error: BaseException | None) -> float | None:
    """The wait `error` asks for (its `retry_after_s`, in seconds), or None when it asks for none."""
    hint = getattr(error, "retry_after_s", None)
    if isinstance(hint, int | float) and not isinstance(hint, bool) and hint >= 0:
        return float(hint)
    return None


class wait_at_least_retry_after(wait_base):  # lower case, like the tenacity strategies it wraps
    """`fallback`'s wait, or the failure's own `retry_after_s` when that is longer."""

    def __init__(self, fallback: wait_base) -> None:
        self.fallback = fallback

    def __call__(self, retry_state: RetryCallState) -> float:
        wait = float(self.fallback(retry_state))
        outcome = retry_state.outcome
        hint = retry_after(outcome.exception() if outcome is not None and outcome.failed else None)
        return wait if hint is None else max(wait, hint)


def _policy(
    max_attempts: int,
    base_s: float,
    max_wait_s: float,
    retry_on: tuple[type[BaseException], ...],
    max_total_s: float | None,
) -> dict[str, Any]:
    stop: stop_base = stop_after_attempt(max_attempts)
    if max_total_s is not None:
        stop = stop | stop_before_delay(max_total_s)
    return {
        "stop": stop,
        "wait": wait_at_least_retry_after(wait_random_exponential(multiplier=base_s, max=max_wait_s)),
        "retry": retry_if_exception_type((TryAgain, *retry_on)),
        "reraise": True,
    }


def attempts(
    max_attempts: int = 4,
    *,
    base_s: float = 0.02,
    max_wait_s: float = 1.0,
    retry_on: tuple[type[BaseException], ...] = (),
    max_total_s: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Retrying:
    """Iterate `for attempt in attempts(): with attempt: ...`; raise `TryAgain` (or a `retry_on`
    error) inside to ask for another attempt. When they run out the last error is re-raised.

    `max_total_s` bounds the time spent: no wait starts that would end past it (attempt durations
    count, so the loop ends within `max_total_s` plus one attempt). `sleep` is how waits happen.
    """
    return Retrying(sleep=sleep, **_policy(max_attempts, base_s, max_wait_s, retry_on, max_total_s))


def async_attempts(
    max_attempts: int = 4,
    *,
    base_s: float = 0.02,
    max_wait_s: float = 1.0,
    retry_on: tuple[type[BaseException], ...] = (),
    max_total_s: float | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> AsyncRetrying:
    """`attempts` for coroutines: `async for attempt in async_attempts(): with attempt: ...`; the
    same policy, waiting with `await sleep(...)` so the event loop keeps serving."""
    return AsyncRetrying(sleep=sleep, **_policy(max_attempts, base_s, max_wait_s, retry_on, max_total_s))
