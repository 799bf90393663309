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


def at(year: int, month: int, day: int, hour: int, minute: int, second: int, micro: int = 0) -> float:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC).timestamp()


def exhausted(plan: UsagePlan, clock: Clock, meter: UsageMeter) -> OverUsagePlan:
    """The refusal of the request after the plan's quota is spent at the clock's time."""
    for _ in range(plan.quota or 0):
        meter.admit("key", plan)
    with pytest.raises(OverUsagePlan) as refused:
        meter.admit("key", plan)
    assert refused.value.limit == "quota"
    return refused.value


@pytest.mark.parametrize(
    ("period", "moment", "retry_after_s"),
    [
        ("DAY", at(2026, 11, 27, 0, 0, 0), 86_400),  # the first instant: the whole day
        ("DAY", at(2026, 11, 27, 23, 59, 59), 1),
        ("DAY", at(2026, 11, 27, 23, 59, 59, micro=1), 1),  # rounded up, never 0
        ("DAY", at(2026, 11, 27, 23, 59, 58, micro=500_000), 2),
        ("WEEK", at(2026, 11, 29, 23, 59, 0), 60),  # Sunday night: Monday starts the week
        ("WEEK", at(2026, 11, 30, 0, 0, 0), 7 * 86_400),  # Monday 00:00
        ("MONTH", at(2028, 2, 28, 12, 0, 0), 36 * 3600),  # a leap year's February has a 29th
        ("MONTH", at(2027, 2, 28, 12, 0, 0), 12 * 3600),
        ("MONTH", at(2026, 12, 31, 23, 0, 0), 3600),  # December into January
        ("MONTH", at(2026, 11, 1, 0, 0, 0), 30 * 86_400),
    ],
)
def test_an_exhausted_quota_says_when_its_period_ends(period: str, moment: float, retry_after_s: int) -> None:
    clock = Clock()
    clock.now = moment
    plan = UsagePlan("edge", rate=None, quota=2, period=period)  # type: ignore[arg-type]
    assert exhausted(plan, clock, UsageMeter(clock)).retry_after_s == retry_after_s


def test_the_quota_comes_back_at_the_instant_its_period_ends() -> None:
    clock = Clock()
    clock.now = at(2026, 11, 29, 23, 59, 59)
    meter, plan = UsageMeter(clock), UsagePlan("weekly", rate=None, quota=1, period="WEEK")
    assert exhausted(plan, clock, meter).retry_after_s == 1
    clock.now = at(2026, 11, 30, 0, 0, 0)
    meter.admit("key", plan)
    with pytest.raises(OverUsagePlan) as refused:
        meter.admit("key", plan)
    assert refused.value.retry_after_s == 7 * 86_400


def test_the_offset_is_taken_from_the_initial_period_only() -> None:
    """API Gateway's QuotaSettings.offset: requests subtracted from the limit in the initial period."""
    clock = Clock()
    meter, plan = UsageMeter(clock), UsagePlan("started-late", rate=None, quota=5, offset=3)
    for _ in range(2):
        meter.admit("key", plan)
    with pytest.raises(OverUsagePlan, match="quota of 2 requests this day") as refused:
        meter.admit("key", plan)
    assert refused.value.retry_after_s == 12 * 3600
    clock.now += 12 * 3600  # the next day: the whole quota
    for _ in range(5):
        meter.admit("key", plan)
    with pytest.raises(OverUsagePlan, match="quota of 5"):
        meter.admit("key", plan)


@pytest.mark.parametrize("offset", [-1, 6])
def test_an_offset_outside_the_quota_is_refused(offset: int) -> None:
    with pytest.raises(ValueError, match="offset"):
        UsagePlan("bad", rate=None, quota=5, offset=offset)
