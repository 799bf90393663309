"""Usage plans enforced in process, as API Gateway enforces them at the edge (the emulator does not).

A plan has a steady rate (requests per second), a burst (the bucket's size: how many may come at
once) and an optional quota (requests per DAY, WEEK or MONTH, UTC periods as API Gateway counts
them). Each key gets a token bucket that starts full; a request takes one token, or is refused with
the seconds until one is back. Throttling is checked before the quota, and a throttled request does
not use quota (API Gateway's order). The clock is injected: tests move time instead of sleeping.

An exhausted quota is refused with `Retry-After` = the seconds to the end of its period (rounded
up), so a partner knows when to come back. The quota's `offset` is what API Gateway's QuotaSettings
documents: "the number of requests subtracted from the given limit in the initial time period" (a
plan started mid-period gets less of it). API Gateway's initial period is the one its plan was
created in; here it is the first period a meter counts the key in (the local stack meters from the
moment Terraform created the plan; a restarted process applies the offset once more: local only).

API Gateway keeps one meter per key for the whole stage. Locally two processes check a key (the
uvicorn BFF and the local gateway): `UsageMeter(path=...)` keeps the counts in one SQLite file that
every meter of the stack opens (`stack_usage_meter`: beside the stack file), and takes each request
inside a write transaction, so requests split between the two modes draw on the same bucket and quota.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from foyer.identity.exceptions import OverUsagePlan

if TYPE_CHECKING:
    import sqlite3

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
    offset: int = 0

    def __post_init__(self) -> None:
        if self.rate is not None and (self.rate <= 0 or self.burst < 1):
            raise ValueError(f"plan {self.name!r}: rate must be > 0 and burst >= 1")
        if self.rate is not None and self.burst < self.rate:
            raise ValueError(f"plan {self.name!r}: burst ({self.burst}) must be >= rate ({self.rate})")
        if self.quota is not None and self.quota < 0:
            raise ValueError(f"plan {self.name!r}: quota must not be negative")
        if self.offset < 0 or self.offset > (self.quota or 0):
            raise ValueError(f"plan {self.name!r}: offset ({self.offset}) must be 0 to the quota")

    def quota_of(self, initial: bool) -> int | None:
        """The requests allowed in a period (the initial one less the offset); None: no quota."""
        return None if self.quota is None else self.quota - (self.offset if initial else 0)


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


def seconds_until(end: datetime, now: datetime) -> int:
    """Whole seconds from `now` to `end`, rounded up and at least 1 (a `Retry-After` value: a
    client that waits that long finds the new period begun)."""
    return max(1, math.ceil((end - now).total_seconds()))


USAGE_FILE = "usage-meter.sqlite3"  # beside the stack file: one meter for every process of a stack


@dataclass
class _Usage:
    tokens: float
    refilled_at: float
    used: int = 0
    period_ends: datetime | None = None
    initial: bool = True  # in the first period the key is metered in (the quota's offset applies)

    def to_json(self) -> str:
        state: dict[str, Any] = asdict(self)
        state["period_ends"] = self.period_ends.isoformat() if self.period_ends else None
        return json.dumps(state)

    @classmethod
    def from_json(cls, text: str) -> _Usage:
        state = json.loads(text)
        ends = state.pop("period_ends")
        return cls(**state, period_ends=datetime.fromisoformat(ends) if ends else None)


def _take(usage: _Usage, plan: UsagePlan, now: float) -> OverUsagePlan | None:
    """Take one request from `usage` under `plan` at `now` (refilling first); the refusal, if any."""
    if plan.rate is not None:
        usage.tokens = min(float(plan.burst), usage.tokens + (now - usage.refilled_at) * plan.rate)
        usage.refilled_at = now
    if plan.rate is not None and usage.tokens < 1.0:
        wait = math.ceil((1.0 - usage.tokens) / plan.rate)
        return OverUsagePlan(
            f"Over the {plan.name} plan's rate ({plan.rate:g}/s, burst {plan.burst}).",
            retry_after_s=max(1, wait),
            limit="rate",
        )
    if plan.quota is not None:
        moment = datetime.fromtimestamp(now, UTC)
        if usage.period_ends is None or moment >= usage.period_ends:
            usage.initial = usage.period_ends is None
            usage.used, usage.period_ends = 0, period_end(plan.period, moment)
        allowed = plan.quota_of(usage.initial)
        if allowed is not None and usage.used >= allowed:
            return OverUsagePlan(
                f"The {plan.name} plan's quota of {allowed} requests this {plan.period.lower()} is used up.",
                retry_after_s=seconds_until(usage.period_ends, moment),
                limit="quota",
            )
        usage.used += 1
    usage.tokens -= 1.0 if plan.rate is not None else 0.0
    return None


class UsageMeter:
    """Counts each key's requests against its plan; `admit` takes one request or raises OverUsagePlan.

    Without `path` the counts live in this process; with it, in that SQLite file, shared by every
    process that opens it (each request is one write transaction: no two processes take the same token).
    """

    def __init__(self, clock: Callable[[], float] = time.time, *, path: Path | None = None) -> None:
        self._clock = clock
        self._path = path
        self._usage: dict[str, _Usage] = {}
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    @property
    def path(self) -> Path | None:
        """The file the counts are shared in, or None (this process only)."""
        return self._path

    def admit(self, key_id: str, plan: UsagePlan) -> None:
        """Count one request by `key_id` under `plan`, or refuse it with the seconds to wait."""
        with self._lock:
            now = self._clock()
            refused = (
                self._admit_shared(key_id, plan, now) if self._path else self._admit_here(key_id, plan, now)
            )
        if refused is not None:
            raise refused

    def _admit_here(self, key_id: str, plan: UsagePlan, now: float) -> OverUsagePlan | None:
        usage = self._usage.setdefault(key_id, _Usage(tokens=float(plan.burst), refilled_at=now))
        return _take(usage, plan, now)

    def _admit_shared(self, key_id: str, plan: UsagePlan, now: float) -> OverUsagePlan | None:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")  # the write lock first: no other process reads this key meanwhile
        try:
            row = db.execute("SELECT state FROM usage WHERE key_id = ?", (key_id,)).fetchone()
            usage = _Usage.from_json(row[0]) if row else _Usage(tokens=float(plan.burst), refilled_at=now)
            refused = _take(usage, plan, now)
            db.execute(
                "INSERT INTO usage (key_id, state) VALUES (?, ?) "
                "ON CONFLICT (key_id) DO UPDATE SET state = excluded.state",
                (key_id, usage.to_json()),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return refused

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            import sqlite3  # deferred: only the local stack shares a meter; Lambdas never meter

            assert self._path is not None
            self._path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self._path, timeout=10.0, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS usage (key_id TEXT PRIMARY KEY, state TEXT NOT NULL)")
            self._db = db
        return self._db


def stack_usage_meter(clock: Callable[[], float] = time.time) -> UsageMeter:
    """The local stack's one meter, a file beside its stack file (FOYER_STACK_FILE, which `make dev`
    gives every process it starts, else `.local/stack.json` if a stack runs); without a stack, a meter
    of this process."""
    from foyer.settings import DEFAULT_STACK_FILE

    named = os.environ.get("FOYER_STACK_FILE")
    stack_file = Path(named or DEFAULT_STACK_FILE).absolute()
    shared = named is not None or stack_file.exists()
    return UsageMeter(clock, path=stack_file.with_name(USAGE_FILE) if shared else None)
