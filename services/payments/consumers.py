"""The events payments reacts to, for the consumer framework (foyer.events.consumer) to dispatch.

`ROUTES` is payments' routing table: an event contract (type and version) to its reaction; a
reaction takes the parsed envelope and returns nothing, or raises to have the message delivered
again (charging.ChargeUnsettled, RefundUnsettled) or sent to the DLQ after its retries
(EventRejected, ProviderError). A type or version not in it is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache

from foyer import logging as foyer_logging
from foyer.contracts import EventData, OrderCancelled, StockReserved
from foyer.dynamodb import Table
from foyer.events import Consumer, Envelope, lambda_handler
from services.payments.charging import Charger, build_charger
from services.payments.settings import PaymentsSettings
from services.payments.store import PaymentsStore


@cache
def get_charger() -> Charger:
    """The process-wide charger, built on the first event (wired here, not in deps.py: that is the
    HTTP app's and imports FastAPI, which a consumer Lambda does not pay for at init)."""
    settings = PaymentsSettings()
    foyer_logging.setup(f"{settings.service}-charges", settings.log_level)
    return build_charger(settings, PaymentsStore(Table(settings.table_name)))


def on_stock_reserved(envelope: Envelope) -> None:
    """Charge the order whose stock was reserved, once; announce the outcome once."""
    get_charger().on_stock_reserved(envelope)


def on_order_cancelled(envelope: Envelope) -> None:
    """Bar the cancelled order from a charge that a late `StockReserved` would make; refund one made."""
    get_charger().on_order_cancelled(envelope)


ROUTES: Mapping[type[EventData], Callable[[Envelope], None]] = {
    StockReserved: on_stock_reserved,
    OrderCancelled: on_order_cancelled,
}


def _consumer() -> Consumer:
    return Consumer(ROUTES)


# The Lambda entry point of payments' queue (the mapping reports batch item failures).
handler = lambda_handler(_consumer, settings=PaymentsSettings)
