"""The events payments reacts to, for the consumer framework (foyer.events.consumer) to dispatch.

`HANDLERS` maps an event type to its reaction and `ACCEPTED` to the envelope versions it reads;
a reaction takes the parsed envelope and returns nothing, or raises to have the message delivered
again (charging.ChargeUnsettled, RefundUnsettled) or sent to the DLQ after its retries
(EventRejected, ProviderError).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from functools import cache

from foyer import logging as foyer_logging
from foyer.dynamodb import Table
from foyer.events import Consumer, Envelope, Route, lambda_handler
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


HANDLERS: Mapping[str, Callable[[Envelope], None]] = {
    "StockReserved": on_stock_reserved,
    "OrderCancelled": on_order_cancelled,
}
ACCEPTED: Mapping[str, Collection[int]] = {"StockReserved": (1,), "OrderCancelled": (1,)}


def _consumer() -> Consumer:
    return Consumer({type_: Route.of(react, ACCEPTED[type_]) for type_, react in HANDLERS.items()})


# The Lambda entry point of payments' queue (the mapping reports batch item failures).
handler = lambda_handler(_consumer, settings=PaymentsSettings)
