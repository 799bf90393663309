"""The platform's retry policy: exponential backoff with full jitter, a bounded number of attempts.

Full jitter (a uniform wait between 0 and the exponential bound) spreads out clients that failed
together, which is what contention on one DynamoDB item or one flaky dependency produces.
"""

from __future__ import annotations

from tenacity import Retrying, TryAgain, retry_if_exception_type, stop_after_attempt, wait_random_exponential

__all__ = ["TryAgain", "attempts"]


def attempts(
    max_attempts: int = 4,
    *,
    base_s: float = 0.02,
    max_wait_s: float = 1.0,
    retry_on: tuple[type[BaseException], ...] = (),
) -> Retrying:
    """Iterate `for attempt in attempts(): with attempt: ...`; raise `TryAgain` (or a `retry_on`
    error) inside to ask for another attempt. When they run out the last error is re-raised."""
    return Retrying(
        stop=stop_after_attempt(max_attempts),
        wait=wait_random_exponential(multiplier=base_s, max=max_wait_s),
        retry=retry_if_exception_type((TryAgain, *retry_on)),
        reraise=True,
    )
