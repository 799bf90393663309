"""foyer.retry: bounded attempts, full-jitter waits, the last error re-raised."""

from __future__ import annotations

import pytest
from tenacity import wait_random_exponential

from foyer.retry import TryAgain, attempts


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
    assert isinstance(policy.wait, wait_random_exponential)
    assert (policy.wait.multiplier, policy.wait.max) == (0.02, 1.0)
