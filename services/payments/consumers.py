"""The events payments reacts to, for the consumer framework (foyer.events.consumer) to dispatch.

`HANDLERS` maps an event type to its reaction and `ACCEPTED` to the envelope versions it reads;
a reaction takes the parsed envelope and returns nothing, or raises to have the message delivered
again (charging.ChargeUnsettled) or sent to the DLQ after its retries (EventRejected, ProviderError).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from foyer.events import Envelope
from services.payments.deps import get_charger


def on_stock_reserved(envelope: Envelope) -> None:
    """Charge the order whose stock was reserved, once; announce the outcome once."""
    get_charger().on_stock_reserved(envelope)


HANDLERS: Mapping[str, Callable[[Envelope], None]] = {"StockReserved": on_stock_reserved}
ACCEPTED: Mapping[str, Collection[int]] = {"StockReserved": (1,)}
