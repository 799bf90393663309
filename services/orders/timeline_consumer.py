"""The order timeline's event consumer (the read side, a Lambda fed by its own queue): every event of
an order's saga becomes one step of its timeline, once, whatever order the events arrive in.

Terraform sets `FOYER_SERVICE` and `TABLE_NAME` (the orders table holds `timeline#<id>` items) and
maps the queue with `ReportBatchItemFailures`.
"""

from __future__ import annotations

from collections.abc import Callable

from foyer import logging as foyer_logging
from foyer.contracts import EVENTS, EventData
from foyer.dynamodb import Table
from foyer.events import Consumer, Envelope, MalformedEvent, bound, lambda_handler
from services.orders.domain import TimelineStep
from services.orders.settings import OrdersSettings
from services.orders.store import OrdersStore


class TimelineProjection:
    """Adds each saga event to its order's timeline."""

    def __init__(self, store: OrdersStore) -> None:
        self.store = store

    def apply(self, event: Envelope) -> None:
        order_id = event.data.get("order_id")
        if not isinstance(order_id, str) or not order_id:
            raise MalformedEvent(f"{event.type} {event.id} names no order_id")
        self.store.project(order_id, TimelineStep.of(event.id, event.type, event.time, event.data))


# Every contract: the timeline shows each event of an order's saga.
ROUTES: dict[type[EventData], Callable[[TimelineProjection, Envelope], None]] = dict.fromkeys(
    EVENTS, TimelineProjection.apply
)


def build_consumer(store: OrdersStore) -> Consumer:
    return Consumer(bound(TimelineProjection(store), ROUTES))


def consumer_from_settings() -> Consumer:
    settings = OrdersSettings()
    foyer_logging.setup(f"{settings.service}-timeline", settings.log_level)
    return build_consumer(OrdersStore(Table(settings.table_name)))


handler = lambda_handler(consumer_from_settings, settings=OrdersSettings)
