"""Inventory's event consumer (a Lambda fed by its SQS queue): reserve on `OrderPlaced`, release on
`OrderCancelled`, commit (the units leave the shelf) on `OrderConfirmed`.

Terraform sets `FOYER_SERVICE`, `TABLE_NAME` and maps the queue with
`FunctionResponseTypes = ["ReportBatchItemFailures"]`. Every effect commits with the event's processed
record, and the event it causes (`StockReserved` or `StockShortage`) goes to inventory's outbox in the
same transaction, so a redelivery changes nothing and a crash loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from foyer import logging as foyer_logging
from foyer.contracts import AboutOrder, EventData, OrderCancelled, OrderConfirmed, OrderPlaced
from foyer.dynamodb import Table
from foyer.events import Consumer, Envelope, bound, envelope_of, lambda_handler, read_data
from services.inventory.domain import (
    InsufficientStock,
    ReservationCommitted,
    ReservationReleased,
    UnknownSkus,
)
from services.inventory.events import reservation, stock_reserved, stock_shortage
from services.inventory.settings import InventorySettings
from services.inventory.store import InventoryStore

log = logging.getLogger("services.inventory.consumers")


def _now() -> datetime:
    return datetime.now(UTC)


class StockKeeper:
    """What inventory does when orders are placed and cancelled."""

    def __init__(self, store: InventoryStore, *, clock: Callable[[], datetime] = _now) -> None:
        self.store = store
        self.clock = clock

    def reserve(self, event: Envelope) -> None:
        """Hold the order's stock and announce `StockReserved`, or announce `StockShortage`."""
        order = read_data(event, OrderPlaced)
        now = self.clock()
        reserved = envelope_of(stock_reserved(order), now=now)
        try:
            _, created = self.store.reserve(reservation(order), now=now, cause=event, announce=reserved)
        except (UnknownSkus, InsufficientStock) as refusal:
            shortage = envelope_of(stock_shortage(order, refusal), now=now)
            self.store.record(event, shortage, now=now)
        except ReservationReleased:
            # The order was cancelled (and released) before this event came: hold nothing, say nothing.
            log.warning(
                "order already released its stock; nothing reserved", extra={"order_id": order.order_id}
            )
            self.store.record(event, now=now)
        else:
            if not created:
                # Held before, for this order (another OrderPlaced of it, or the HTTP API): say so again.
                self.store.record(event, reserved, now=now)

    def release(self, event: Envelope) -> None:
        """Give the order's held stock back (once). An order that holds none yet is barred from
        holding any: its OrderPlaced may still come (an expired order's cancellation can overtake it)."""
        order_id = read_data(event, AboutOrder).order_id
        now = self.clock()
        try:
            released = self.store.release(order_id, now=now, cause=event, bar=True)
        except ReservationCommitted:
            # Orders never cancels a confirmed order; if it ever did, the units are sold: refuse, once
            # (a retry would refuse again), and say so loudly.
            log.error("order's stock is committed; not released", extra={"order_id": order_id})
            self.store.record(event, now=now)
            return
        if not released.lines:
            log.info("nothing held; the order is barred from reserving", extra={"order_id": order_id})

    def commit(self, event: Envelope) -> None:
        """Take the confirmed order's units off the shelf (once): it holds no reservation afterwards.
        An order without a reservation fails (and reaches the DLQ after its retries): a confirmation
        means inventory reserved for it, so something is wrong that a person should see."""
        order_id = read_data(event, AboutOrder).order_id
        self.store.commit(order_id, now=self.clock(), cause=event)


# Inventory's routing table: each event contract it reads, to what it does.
ROUTES: dict[type[EventData], Callable[[StockKeeper, Envelope], None]] = {
    OrderPlaced: StockKeeper.reserve,
    OrderCancelled: StockKeeper.release,
    OrderConfirmed: StockKeeper.commit,
}


def build_consumer(store: InventoryStore) -> Consumer:
    """Inventory's consumer over `store`."""
    return Consumer(bound(StockKeeper(store), ROUTES))


def consumer_from_settings() -> Consumer:
    """The consumer over the configured table, with JSON logs set up (what the Lambda runs)."""
    settings = InventorySettings()
    foyer_logging.setup(settings.service, settings.log_level)
    return build_consumer(InventoryStore(Table(settings.table_name)))


handler = lambda_handler(consumer_from_settings, settings=InventorySettings)
