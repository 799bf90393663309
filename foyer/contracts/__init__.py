"""Event contracts: every event the services publish, its type, version, source and typed data,
defined once for the producers that build them and the consumers that read them.

- `base`: `EventData`, what a contract is (a payload class naming its type, version and source);
- `values`: `Money`, `OrderId`, `Sku`, `AboutOrder`: the values payloads carry;
- `email_address`: `EmailAddress`, `mailbox`: an address as the mail sender parses it;
- `orders`, `inventory`, `payments`: each service's events (`OrderPlaced`, `StockReserved`, ...);
- `saga`: `EVENTS`, every contract in the order an order's saga meets them.

Values only (pydantic models, no I/O, no platform): a service's domain may import them. A consumer
routes on the classes themselves (foyer.events.Consumer), so the types and versions it accepts come
from the same place. Each name is imported from its module when first asked for (PEP 562): a
consumer builds the models of the events it reads, not every service's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from foyer.lazy_names import lazy_names

if TYPE_CHECKING:
    from foyer.contracts.base import EventData
    from foyer.contracts.email_address import EmailAddress, mailbox
    from foyer.contracts.inventory import Shortfall, StockReserved, StockShortage
    from foyer.contracts.orders import (
        ItemLine,
        OrderCancelled,
        OrderConfirmed,
        OrderEnded,
        OrderPlaced,
        PricedLine,
    )
    from foyer.contracts.payments import (
        PaymentAuthorized,
        PaymentDeclined,
        PaymentFailed,
        PaymentRefunded,
        PaymentSettled,
    )
    from foyer.contracts.saga import EVENTS
    from foyer.contracts.values import ORDER_ID_PATTERN, AboutOrder, Currency, Money, OrderId, Sku

_MODULES = {
    "base": ("EventData",),
    "email_address": ("EmailAddress", "mailbox"),
    "inventory": ("Shortfall", "StockReserved", "StockShortage"),
    "orders": ("ItemLine", "OrderCancelled", "OrderConfirmed", "OrderEnded", "OrderPlaced", "PricedLine"),
    "payments": (
        "PaymentAuthorized",
        "PaymentDeclined",
        "PaymentFailed",
        "PaymentRefunded",
        "PaymentSettled",
    ),
    "saga": ("EVENTS",),
    "values": ("ORDER_ID_PATTERN", "AboutOrder", "Currency", "Money", "OrderId", "Sku"),
}

__all__ = [
    "EVENTS",
    "ORDER_ID_PATTERN",
    "AboutOrder",
    "Currency",
    "EmailAddress",
    "EventData",
    "ItemLine",
    "Money",
    "OrderCancelled",
    "OrderConfirmed",
    "OrderEnded",
    "OrderId",
    "OrderPlaced",
    "PaymentAuthorized",
    "PaymentDeclined",
    "PaymentFailed",
    "PaymentRefunded",
    "PaymentSettled",
    "PricedLine",
    "Shortfall",
    "Sku",
    "StockReserved",
    "StockShortage",
    "mailbox",
]


__getattr__, __dir__ = lazy_names(__name__, _MODULES, __all__)
