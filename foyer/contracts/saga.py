"""Every event contract, in the order an order's saga meets them."""

from __future__ import annotations

from foyer.contracts.base import EventData
from foyer.contracts.inventory import StockReserved, StockShortage
from foyer.contracts.orders import OrderCancelled, OrderConfirmed, OrderPlaced
from foyer.contracts.payments import PaymentAuthorized, PaymentDeclined, PaymentFailed, PaymentRefunded

# The timeline's order for two events of the same instant.
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
