"""The events inventory reads and writes (contracts in foyer.contracts), turned to and from its domain.

Inventory reads `OrderPlaced` to reserve and the order id of `OrderCancelled` and `OrderConfirmed`;
it writes `StockReserved` (what payments needs to charge) and `StockShortage` (what could not be
held, for orders to cancel as `out_of_stock`).
"""

from __future__ import annotations

from pydantic import ValidationError

from foyer.contracts import OrderPlaced, Shortfall, StockReserved, StockShortage
from foyer.events import MalformedEvent
from services.inventory.domain import InsufficientStock, Line, ReservationIn, UnknownSkus


def reservation(order: OrderPlaced) -> ReservationIn:
    """The reservation `order` asks for. Raises MalformedEvent when its lines are outside what
    inventory holds (a quantity above the largest one): no retry makes them reservable."""
    try:
        lines = [Line(sku=line.sku, quantity=line.quantity) for line in order.lines]
        return ReservationIn(order_id=order.order_id, lines=lines)
    except ValidationError as exc:
        raise MalformedEvent(f"OrderPlaced {order.order_id} lines: {exc.errors()[0]['msg']}") from None


def stock_reserved(order: OrderPlaced) -> StockReserved:
    """The order's stock is held; what payments needs to charge it (with the order's payment
    method, when it has one)."""
    passed_on = order.model_dump(
        include={"customer_id", "channel", "partner_id", "contact_email", "payment_source"},
        exclude_none=True,
    )
    return StockReserved(order_id=order.order_id, lines=order.lines, total=order.total, **passed_on)


def stock_shortage(order: OrderPlaced, refusal: UnknownSkus | InsufficientStock) -> StockShortage:
    """Nothing is held; the lines that could not be (short, or unknown skus)."""
    short = refusal.lines if isinstance(refusal, InsufficientStock) else []
    return StockShortage(
        order_id=order.order_id,
        shortfalls=[Shortfall(sku=s.sku, requested=s.requested, available=s.available) for s in short],
        unknown_skus=refusal.skus if isinstance(refusal, UnknownSkus) else [],
    )
