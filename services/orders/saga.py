"""How the saga's events move an order, and what orders announces when an order ends (pure: no I/O).

    StockReserved -> RESERVED            StockShortage -> CANCELLED(out_of_stock)
    PaymentAuthorized -> CONFIRMED       PaymentDeclined / PaymentFailed -> CANCELLED(payment_*)

A payment result answers a `StockReserved`: payments charges only reserved orders. One that finds
its order still PENDING came before the reservation was applied here (two queues, no order between
them), so it is early, not wrong: `advance` raises EarlyEvent and the consumer lets SQS redeliver it.
Taking it as it comes would confirm (or cancel) an order this service never saw reserved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from foyer.contracts import (
    EventData,
    OrderCancelled,
    OrderConfirmed,
    PaymentAuthorized,
    PaymentDeclined,
    PaymentFailed,
    StockReserved,
    StockShortage,
)
from services.orders.domain import CancelReason, Order, Status


@dataclass(frozen=True)
class Move:
    to: Status
    reason: CancelReason | None = None
    after_reservation: bool = False  # the event answers StockReserved: early on a PENDING order


# Each event contract the saga reads, and the move it makes.
MOVES: dict[type[EventData], Move] = {
    StockReserved: Move(Status.RESERVED),
    StockShortage: Move(Status.CANCELLED, CancelReason.OUT_OF_STOCK),
    PaymentAuthorized: Move(Status.CONFIRMED, after_reservation=True),
    PaymentDeclined: Move(Status.CANCELLED, CancelReason.PAYMENT_DECLINED, after_reservation=True),
    PaymentFailed: Move(Status.CANCELLED, CancelReason.PAYMENT_FAILED, after_reservation=True),
}
MOVE_OF = {contract.key(): move for contract, move in MOVES.items()}


class EarlyEvent(Exception):
    """The event follows a step the order has not taken yet; it can apply later."""

    def __init__(self, event_type: str, order: Order) -> None:
        super().__init__(f"{event_type} for order {order.order_id}, still {order.status}: not reserved yet")
        self.order = order


def advance(order: Order, event_type: str, now: datetime, version: int = 1) -> Order | None:
    """The order after `event_type` (at `version`), or None when the event does not move it (a
    repeat, or late). Raises EarlyEvent for a payment result on an order not reserved yet."""
    move = MOVE_OF[event_type, version]
    if move.after_reservation and order.status is Status.PENDING:
        raise EarlyEvent(event_type, order)
    return order.move(move.to, now, move.reason)


def charged_after_cancel(order: Order, event_type: str) -> bool:
    """Whether `event_type` says money was taken for `order` although it is already cancelled."""
    return event_type == PaymentAuthorized.event_type and order.status is Status.CANCELLED


def announcement(order: Order) -> OrderConfirmed | OrderCancelled | None:
    """What orders announces for `order`'s new status: `OrderConfirmed` or `OrderCancelled` (with the
    reason, and the lines so inventory can release them); None otherwise."""
    ended = {
        "order_id": order.order_id,
        "customer_id": order.customer_id,
        "contact_email": order.contact_email,
        "channel": order.channel,
        "partner_id": order.partner_id,
        "lines": order.lines,
        "total": order.total,
    }
    if order.status is Status.CONFIRMED:
        return OrderConfirmed(**ended)
    if order.status is Status.CANCELLED:
        return OrderCancelled(**ended, reason=order.cancel_reason and order.cancel_reason.value)
    return None
