"""Event contracts: every event the services publish, its type, version, source and typed data,
defined once for the producers that build them and the consumers that read them.

Values only (pydantic models, no I/O, no platform): a service's domain may import them, and a
consumer Lambda pays for nothing but pydantic. A consumer routes on the classes themselves
(foyer.events.Consumer), so the types and versions it accepts come from the same place.
"""

from __future__ import annotations

from foyer.contracts.base import EventData
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
from foyer.contracts.values import ORDER_ID_PATTERN, AboutOrder, Currency, Money, OrderId, Sku

# Every contract, in the order an order's saga meets them (the timeline's order for a tie).
EVENTS: tuple[type[EventData], ...] = (
    OrderPlaced,
    StockReserved,
    StockShortage,
    PaymentAuthorized,
    PaymentDeclined,
    PaymentFailed,
    OrderConfirmed,
    OrderCancelled,
    PaymentRefunded,
)

__all__ = [
    "EVENTS",
    "ORDER_ID_PATTERN",
    "AboutOrder",
    "Currency",
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
]
