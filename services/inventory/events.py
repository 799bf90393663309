"""The events inventory reads and writes, as data (the envelope around them is foyer.events').

Inventory reads `OrderPlaced`, `OrderCancelled` and `OrderConfirmed` (v1, from orders) as a tolerant
reader: fields it does not use are ignored, so orders can add some without a new version. It writes
`StockReserved` (what payments needs to charge: the order, its lines and total, and who the customer is) and
`StockShortage` (what could not be held, for orders to cancel as `out_of_stock`).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from services.inventory.domain import (
    MAX_LINES,
    InsufficientStock,
    Line,
    OrderId,
    ReservationIn,
    UnknownSkus,
)

SOURCE = "foyer.inventory"
ORDER_PLACED = "OrderPlaced"
ORDER_CANCELLED = "OrderCancelled"
ORDER_CONFIRMED = "OrderConfirmed"
STOCK_RESERVED = "StockReserved"
STOCK_SHORTAGE = "StockShortage"


class Money(BaseModel):
    model_config = ConfigDict(frozen=True)

    amount: int
    currency: str


class OrderLine(Line):
    """A reservation line as an order event carries it: other fields (a name, a price) are orders'."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class OrderPlaced(BaseModel):
    """`OrderPlaced` v1 as inventory reads it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    order_id: OrderId
    lines: Annotated[list[OrderLine], Field(min_length=1, max_length=MAX_LINES)]
    total: Money
    customer_id: str
    channel: str | None = None
    partner_id: str | None = None
    contact_email: str | None = None
    payment_source: str | None = None  # passed on to payments in StockReserved

    def reservation(self) -> ReservationIn:
        """The reservation this order asks for."""
        lines = [Line(sku=line.sku, quantity=line.quantity) for line in self.lines]
        return ReservationIn(order_id=self.order_id, lines=lines)


class OrderCancelled(BaseModel):
    """`OrderCancelled` v1 as inventory reads it: which order's stock to give back."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    order_id: OrderId


class OrderConfirmed(BaseModel):
    """`OrderConfirmed` v1 as inventory reads it: whose reservation to commit."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    order_id: OrderId


def stock_reserved(order: OrderPlaced) -> dict[str, Any]:
    """`StockReserved` v1: the order's stock is held; enough for payments to charge it (with the
    order's payment method, when it has one)."""
    return {
        "order_id": order.order_id,
        "lines": [line.model_dump() for line in order.lines],
        "total": order.total.model_dump(),
        **order.model_dump(
            include={"customer_id", "channel", "partner_id", "contact_email", "payment_source"},
            exclude_none=True,
        ),
    }


def stock_shortage(order: OrderPlaced, refusal: UnknownSkus | InsufficientStock) -> dict[str, Any]:
    """`StockShortage` v1: nothing is held; the lines that could not be (short, or unknown skus)."""
    short = refusal.lines if isinstance(refusal, InsufficientStock) else []
    return {
        "order_id": order.order_id,
        "shortfalls": [{"sku": s.sku, "requested": s.requested, "available": s.available} for s in short],
        "unknown_skus": refusal.skus if isinstance(refusal, UnknownSkus) else [],
    }
