"""Orders' reconciler (a Lambda run on an EventBridge schedule): drives orders left open to an end.

Terraform declares the schedule in the apps map (`schedules`, terraform/modules/platform/main.tf)
and sets `FOYER_SERVICE`, `TABLE_NAME` and the deadlines (`ORDER_RESEND_AFTER_S`,
`ORDER_EXPIRE_AFTER_S`); the local stack calls the same `handler` on a shorter interval. Each run
reads the orders still PENDING or RESERVED through the sparse `open` index and applies
services/orders/overdue.py's remedy to each: a resend of `OrderPlaced`, or a cancel as `expired`
with its `OrderCancelled`, each one version-checked transaction with the event in the outbox. An
order that a consumer moved meanwhile is left to the next run.

Every run logs one line and emits the `StuckOrders` metric with the count of overdue orders it found
(0 included, so an alarm sees the metric every run).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from foyer import logging as foyer_logging
from foyer import metrics
from foyer.dynamodb import Table
from foyer.events import envelope_of
from foyer.startup import check_settings_in_lambda
from services.orders.domain import placed_event
from services.orders.overdue import OPEN, Deadlines, Remedy, expired, remedy, resent
from services.orders.saga import announcement
from services.orders.settings import OrdersSettings
from services.orders.store import OrderChanged, OrdersStore

log = logging.getLogger("services.orders.reconciler")
STUCK_METRIC = "StuckOrders"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Report:
    """What one run did: overdue orders found, and what became of them."""

    stuck: int = 0
    resent: int = 0
    expired: int = 0
    moved_meanwhile: int = 0  # a consumer moved the order between the read and the write


class Reconciler:
    """Finds the orders left open past their deadlines and resends or expires them."""

    def __init__(
        self, store: OrdersStore, deadlines: Deadlines, *, clock: Callable[[], datetime] = _now
    ) -> None:
        self.store = store
        self.deadlines = deadlines
        self.clock = clock

    def run(self) -> Report:
        """One pass over the open orders; every overdue one resent or expired (or left to the next)."""
        now = self.clock()
        counts = {"stuck": 0, "resent": 0, "expired": 0, "moved_meanwhile": 0}
        for status in OPEN:
            for order in self.store.open_orders(status, self.deadlines.placed_before(status, now)):
                action = remedy(order, now, self.deadlines)
                if action is None:
                    continue
                counts["stuck"] += 1
                context = {"order_id": order.order_id, "status": order.status.value, "remedy": action.value}
                if action is Remedy.RESEND:
                    moved = resent(order, now)
                    event = envelope_of(placed_event(moved), now=now)
                else:
                    moved = expired(order, now)
                    announced = announcement(moved)
                    if announced is None:  # cannot happen: a cancelled order is announced
                        raise RuntimeError(f"no announcement for expired order {order.order_id}")
                    event = envelope_of(announced, now=now)
                try:
                    self.store.move(moved, cause=None, announce=event, now=now)
                except OrderChanged:
                    counts["moved_meanwhile"] += 1
                    log.info("order moved meanwhile; left to the next run", extra=context)
                    continue
                done = "resent" if action is Remedy.RESEND else "expired"
                counts[done] += 1
                log.warning(f"overdue order {done}", extra=context)
        report = Report(**counts)
        metrics.emit(STUCK_METRIC, report.stuck)
        log.info("reconciled open orders", extra=asdict(report))
        return report


@cache
def reconciler_from_settings() -> Reconciler:
    """The reconciler over the configured table and deadlines, with JSON logs set up (once per process)."""
    settings = OrdersSettings()
    foyer_logging.setup(f"{settings.service}-reconciler", settings.log_level)
    metrics.configure(service=settings.service)
    deadlines = Deadlines(
        resend_after=timedelta(seconds=settings.resend_after_s),
        expire_after=timedelta(seconds=settings.expire_after_s),
    )
    return Reconciler(OrdersStore(Table(settings.table_name)), deadlines)


# In Lambda a missing setting fails the init, naming it, not the first run (foyer.startup).
check_settings_in_lambda(OrdersSettings)


def handler(event: Mapping[str, Any], context: Any) -> dict[str, int]:
    """The Lambda entry point of the schedule: one reconciling run, its report as the result."""
    return asdict(reconciler_from_settings().run())
