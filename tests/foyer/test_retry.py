"""foyer.retry: bounded attempts, full-jitter waits, the last error re-raised."""

from __future__ import annotations

from typing import Any

import pytest
from tenacity import wait_random_exponential

from foyer.retry import TryAgain, attempts, retry_after, wait_at_least_retry_after


def run(max_attempts: int, error: BaseException) -> int:
    """How many attempts ran before `error` escaped."""
    calls = 0

    def loop() -> None:
        nonlocal calls
        for attempt in attempts(max_attempts, base_s=0):
            with attempt:
                calls += 1
                raise error

    with pytest.raises(type(error)):
        loop()
    return calls


def test_try_again_is_retried_until_the_attempts_run_out() -> None:
    assert run(3, TryAgain()) == 3


def test_other_errors_are_not_retried() -> None:
    assert run(5, KeyError("no")) == 1


def test_listed_errors_are_retried_and_success_ends_the_loop() -> None:
    calls = 0
    for attempt in attempts(5, base_s=0, retry_on=(ConnectionError,)):
        with attempt:
            calls += 1
            if calls < 3:
                raise ConnectionError
    assert calls == 3


def test_waits_are_full_jitter_below_the_exponential_bound() -> None:
    policy = attempts(4, base_s=0.02, max_wait_s=1.0)
    assert isinstance(policy.wait, wait_at_least_retry_after)
    jitter = policy.wait.fallback
    assert isinstance(jitter, wait_random_exponential)
    assert (jitter.multiplier, jitter.max) == (0.02, 1.0)


class Throttled(Exception):
    def __init__(self, retry_after_s: object) -> None:
        super().__init__("throttled")
        self.retry_after_s = retry_after_s


def waits(error: BaseException, **policy: Any) -> tuple[int, list[float]]:
    """(attempts run, waits asked for) until `error`, raised by every attempt, escaped."""
    sleeps: list[float] = []
    calls = 0

    def loop() -> None:
        nonlocal calls
        for attempt in attempts(retry_on=(type(error),), sleep=sleeps.append, **policy):
            with attempt:
                calls += 1
                raise error

    with pytest.raises(type(error)):
        loop()
    return calls, sleeps


def test_a_failure_asking_for_a_wait_gets_at_least_that_wait() -> None:
    calls, sleeps = waits(Throttled(3), max_attempts=3, base_s=0.01, max_wait_s=0.1)
    assert calls == 3
    assert len(sleeps) == 2
    assert all(wait >= 3 for wait in sleeps)


@pytest.mark.parametrize("hint", [None, -1, "3", True])
def test_a_missing_or_meaningless_hint_leaves_the_jitter(hint: object) -> None:
    _, sleeps = waits(Throttled(hint), max_attempts=4, base_s=0.01, max_wait_s=0.1)
    assert len(sleeps) == 3
    assert all(0 <= wait <= 0.1 for wait in sleeps)


def test_no_wait_starts_that_would_end_past_the_time_bound() -> None:
    # The hint (10 s) is past the bound (5 s): the loop gives up at once rather than sleep.
    calls, sleeps = waits(Throttled(10), max_attempts=5, max_total_s=5)
    assert (calls, sleeps) == (1, [])


def test_waits_within_the_time_bound_happen() -> None:
    calls, sleeps = waits(Throttled(1), max_attempts=3, base_s=0, max_total_s=5)
    assert (calls, sleeps) == (3, [1.0, 1.0])


@pytest.mark.parametrize(
    ("error", "expected"), [(Throttled(2.5), 2.5), (Throttled(0), 0.0), (KeyError(), None)]
)
def test_retry_after_reads_the_errors_hint(error: BaseException, expected: float | None) -> None:
    assert retry_after(error) == expected
