"""Usage plans enforced in process, as API Gateway enforces them at the edge (the emulator does not).

A plan has a steady rate (requests per second), a burst (the bucket's size: how many may come at
once) and an optional quota (requests per DAY, WEEK or MONTH, UTC periods as API Gateway counts
them). Each key gets a token bucket that starts full; a request takes one token, or is refused with
the seconds until one is back. Throttling is checked before the quota, and a throttled request does
not use quota (API Gateway's order). The clock is injected: tests move time instead of sleeping.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from foyer.identity.exceptions import OverUsagePlan

Period = Literal["DAY", "WEEK", "MONTH"]


@dataclass(frozen=True)
class UsagePlan:
    """One tier's limits: `rate` requests/s steady and `burst` at once (rate None: no throttle), and
    `quota` requests per `period` (None: no quota)."""

    name: str
    rate: float | None
    burst: int = 0
    quota: int | None = None
    period: Period = "DAY"

    def __post_init__(self) -> None:
        if self.rate is not None and (self.rate <= 0 or self.burst < 1):
            raise ValueError(f"plan {self.name!r}: rate must be > 0 and burst >= 1")
        if self.rate is not None and self.burst < self.rate:
            raise ValueError(f"plan {self.name!r}: burst ({self.burst}) must be >= rate ({self.rate})")
        if self.quota is not None and self.quota < 0:
            raise ValueError(f"plan {self.name!r}: quota must not be negative")


def period_end(period: Period, now: datetime) -> datetime:
    """When the quota period holding `now` ends (UTC; weeks start on Monday, as API Gateway's do)."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "DAY":
        return day + timedelta(days=1)
    if period == "WEEK":
        return day + timedelta(days=7 - day.weekday())
    first = day.replace(day=1)
    if first.month == 12:
        return first.replace(year=first.year + 1, month=1)
    return first.replace(month=first.month + 1)


@dataclass
class _Usage:
    tokens: float
    refilled_at: float
    used: int = 0
    period_ends: datetime | None = None


class UsageMeter:
    """Counts each key's requests against its plan; `admit` takes one request or raises OverUsagePlan."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._usage: dict[str, _Usage] = {}
        self._lock = threading.Lock()

    def admit(self, key_id: str, plan: UsagePlan) -> None:
        """Count one request by `key_id` under `plan`, or refuse it with the seconds to wait."""
        with self._lock:
            now = self._clock()
            usage = self._usage.setdefault(key_id, _Usage(tokens=float(plan.burst), refilled_at=now))
            if plan.rate is not None:
                usage.tokens = min(float(plan.burst), usage.tokens + (now - usage.refilled_at) * plan.rate)
                usage.refilled_at = now
            if plan.rate is not None and usage.tokens < 1.0:
                wait = math.ceil((1.0 - usage.tokens) / plan.rate)
                raise OverUsagePlan(
                    f"Over the {plan.name} plan's rate ({plan.rate:g}/s, burst {plan.burst}).",
                    retry_after_s=max(1, wait),
                    limit="rate",
                )
            if plan.quota is not None:
                moment = datetime.fromtimestamp(now, UTC)
                if usage.period_ends is None or moment >= usage.period_ends:
                    usage.used, usage.period_ends = 0, period_end(plan.period, moment)
                if usage.used >= plan.quota:
                    wait = math.ceil((usage.period_ends - moment).total_seconds())
                    raise OverUsagePlan(
                        f"The {plan.name} plan's quota of {plan.quota} requests per {plan.period.lower()} "
                        "is used up.",
                        retry_after_s=max(1, wait),
                        limit="quota",
                    )
                usage.used += 1
            usage.tokens -= 1.0 if plan.rate is not None else 0.0
