"""Orders' event consumer (a Lambda fed by its SQS queue): the saga's events move the order.

Terraform sets `FOYER_SERVICE`, `TABLE_NAME` and maps the queue with
`FunctionResponseTypes = ["ReportBatchItemFailures"]`. Each move is one transaction: the order put on
the condition that its version is the one read, the event's processed record, and the
`OrderConfirmed`/`OrderCancelled` it causes in orders' outbox. A move that does not apply (a repeat,
or late) succeeds without effect; an order that does not exist fails the record (to the DLQ after
the queue's retries: the reconciler owns lost orders); a payment result for an order not reserved
yet is deferred to its redelivery (services/orders/saga.py says why).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from foyer import logging as foyer_logging
from foyer import metrics
from foyer.contracts import AboutOrder, EventData
from foyer.dynamodb import Table
from foyer.events import Consumer, Envelope, TooEarly, bound, envelope_of, lambda_handler, read_data
from foyer.retry import attempts
from services.orders.domain import OrderNotFound
from services.orders.saga import MOVES, EarlyEvent, advance, announcement, charged_after_cancel
from services.orders.settings import OrdersSettings
from services.orders.store import OrderChanged, OrdersStore

log = logging.getLogger("services.orders.consumers")
# Two events of one order rarely race (the saga sends them one after another); a few quick
# re-reads settle it, and the queue's redelivery covers the rest.
MAX_ATTEMPTS = 4
CHARGED_CANCELLED_METRIC = "ChargedCancelledOrders"


def _now() -> datetime:
    return datetime.now(UTC)


class OrderFlow:
    """Moves orders as the saga's events arrive."""

    def __init__(self, store: OrdersStore, *, clock: Callable[[], datetime] = _now) -> None:
        self.store = store
        self.clock = clock

    def apply(self, event: Envelope) -> None:
        """Move the event's order (once), announcing the end of the order when it ends."""
        order_id = read_data(event, AboutOrder).order_id
        for attempt in attempts(MAX_ATTEMPTS, retry_on=(OrderChanged,)):
            with attempt:
                self._apply(order_id, event)

    def _apply(self, order_id: str, event: Envelope) -> None:
        order = self.store.get(order_id)
        if order is None:
            raise OrderNotFound(order_id)
        now = self.clock()
        try:
            moved = advance(order, event.type, now, event.version)
        except EarlyEvent as exc:
            raise TooEarly(str(exc)) from exc
        if moved is None:
            context = {"order_id": order_id, "status": order.status}
            if charged_after_cancel(order, event.type):
                # The race payments narrows but cannot close (a charge in flight when the order
                # expired): payments refunds it (PaymentRefunded), and a refund it cannot make
                # reaches its DLQ. Counted, so a rise of the race shows.
                log.warning("payment authorized for a cancelled order: payments refunds it", extra=context)
                metrics.emit(CHARGED_CANCELLED_METRIC)
                return
            log.info("the event does not move the order", extra=context)
            return
        announced = announcement(moved)
        envelope = None if announced is None else envelope_of(announced, now=now)
        self.store.move(moved, cause=event, announce=envelope, now=now)


# Orders' routing table: every event contract that moves an order, to `apply`.
ROUTES: dict[type[EventData], Callable[[OrderFlow, Envelope], None]] = dict.fromkeys(MOVES, OrderFlow.apply)


def build_consumer(store: OrdersStore) -> Consumer:
    """Orders' consumer over `store`."""
    return Consumer(bound(OrderFlow(store), ROUTES))


def consumer_from_settings() -> Consumer:
    """The consumer over the configured table, with JSON logs set up (what the Lambda runs)."""
    settings = OrdersSettings()
    foyer_logging.setup(settings.service, settings.log_level)
    return build_consumer(OrdersStore(Table(settings.table_name)))


handler = lambda_handler(consumer_from_settings, settings=OrdersSettings)
