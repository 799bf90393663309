"""Usage plans metered in process: burst, steady rate, quota per period, Retry-After; time is moved by
hand, never slept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from foyer.identity import OverUsagePlan
from foyer.identity.plans import UsageMeter, UsagePlan, period_end

START = datetime(2026, 11, 27, 12, 0, tzinfo=UTC).timestamp()


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


def test_a_burst_over_the_limit_is_refused_with_retry_after() -> None:
    clock = Clock()
    meter = UsageMeter(clock)
    plan = UsagePlan("bronze", rate=1, burst=3)
    for _ in range(3):
        meter.admit("key", plan)
    with pytest.raises(OverUsagePlan) as refused:
        meter.admit("key", plan)
    assert refused.value.limit == "rate"
    assert refused.value.retry_after_s == 1
    clock.now += 1
    meter.admit("key", plan)  # one token back after a second at 1/s


def test_the_steady_rate_refills_the_bucket_no_higher_than_the_burst() -> None:
    clock = Clock()
    meter = UsageMeter(clock)
    plan = UsagePlan("silver", rate=2, burst=4)
    clock.now += 3600  # an idle hour refills 4 tokens, not 7200
    for _ in range(4):
        meter.admit("key", plan)
    with pytest.raises(OverUsagePlan):
        meter.admit("key", plan)


def test_keys_are_metered_apart() -> None:
    meter = UsageMeter(Clock())
    plan = UsagePlan("bronze", rate=1, burst=1)
    meter.admit("a", plan)
    meter.admit("b", plan)
    with pytest.raises(OverUsagePlan):
        meter.admit("a", plan)


def test_a_quota_runs_out_until_the_period_ends() -> None:
    clock = Clock()
    meter = UsageMeter(clock)
    plan = UsagePlan("trial", rate=100, burst=100, quota=5, period="DAY")
    for _ in range(5):
        meter.admit("key", plan)
    with pytest.raises(OverUsagePlan) as refused:
        meter.admit("key", plan)
    assert refused.value.limit == "quota"
    assert refused.value.retry_after_s == 12 * 3600  # noon to midnight UTC
    clock.now += 12 * 3600
    meter.admit("key", plan)  # a new day, a new quota


def test_a_throttled_request_uses_no_quota() -> None:
    clock = Clock()
    meter = UsageMeter(clock)
    plan = UsagePlan("tight", rate=1, burst=1, quota=2)
    meter.admit("key", plan)
    with pytest.raises(OverUsagePlan, match="rate"):
        meter.admit("key", plan)
    clock.now += 1
    meter.admit("key", plan)  # the second of two: the throttled one did not count
    clock.now += 1
    with pytest.raises(OverUsagePlan, match="quota"):
        meter.admit("key", plan)


def test_a_plan_without_throttle_only_counts_quota() -> None:
    meter = UsageMeter(Clock())
    plan = UsagePlan("quota-only", rate=None, quota=3)
    for _ in range(3):
        meter.admit("key", plan)
    with pytest.raises(OverUsagePlan, match="quota"):
        meter.admit("key", plan)


@pytest.mark.parametrize(
    ("rate", "burst", "quota", "message"),
    [(10, 5, None, "burst"), (0, 1, None, "rate"), (1, 1, -1, "negative")],
)
def test_a_plan_that_cannot_hold_is_refused(rate: float, burst: int, quota: int | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        UsagePlan("bad", rate=rate, burst=burst, quota=quota)


@pytest.mark.parametrize(
    ("period", "now", "end"),
    [
        ("DAY", datetime(2026, 11, 27, 23, 59, tzinfo=UTC), datetime(2026, 11, 28, tzinfo=UTC)),
        ("WEEK", datetime(2026, 11, 27, 8, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)),  # a Friday
        ("MONTH", datetime(2026, 12, 31, 8, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
    ],
)
def test_periods_end_where_api_gateway_resets_them(period: str, now: datetime, end: datetime) -> None:
    assert period_end(period, now) == end  # type: ignore[arg-type]
