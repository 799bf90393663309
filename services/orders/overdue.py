"""When an order left open is overdue, and what reconciling does about it (pure: no I/O).

An order normally ends within seconds of being placed. One still open long after may have lost an
event on the way (dropped before a consumer read it, or parked in a dead-letter queue):

- PENDING and untouched for `resend_after`: orders publishes its `OrderPlaced` again. Inventory holds
  stock once per order and answers a repeat with the same `StockReserved`, so resending the event of
  an order that was only slow is harmless. The resend touches the order, so it repeats at most every
  `resend_after` until the order expires.
- PENDING or RESERVED for `expire_after` since it was placed: cancelled as `expired`. Its
  `OrderCancelled` releases what inventory holds for it (and bars a reservation arriving later), and
  tells payments not to charge it.

`expire_after` must outlast payments' own bound on an unanswered charge (its redeliveries), so an
order is expired only when an event was lost, not while its charge is still being retried.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.orders.domain import CancelReason, Order, Status

OPEN = (Status.PENDING, Status.RESERVED)


class Remedy(enum.Enum):
    RESEND = "resend"  # publish the order's OrderPlaced again
    EXPIRE = "expire"  # cancel the order as expired


@dataclass(frozen=True)
class Deadlines:
    resend_after: timedelta
    expire_after: timedelta

    def __post_init__(self) -> None:
        if not timedelta(0) < self.resend_after < self.expire_after:
            raise ValueError("an order is resent before it expires: 0 < resend_after < expire_after")

    def placed_before(self, status: Status, now: datetime) -> datetime:
        """Orders of `status` placed after this instant cannot be overdue yet (what to look up)."""
        return now - (self.resend_after if status is Status.PENDING else self.expire_after)


def remedy(order: Order, now: datetime, deadlines: Deadlines) -> Remedy | None:
    """What to do about `order` at `now`: expire it, resend its OrderPlaced, or nothing."""
    if order.status not in OPEN:
        return None
    if now - order.created_at >= deadlines.expire_after:
        return Remedy.EXPIRE
    if order.status is Status.PENDING and now - order.updated_at >= deadlines.resend_after:
        return Remedy.RESEND
    return None


def expired(order: Order, now: datetime) -> Order:
    """The order cancelled as expired (the caller checked it is open)."""
    moved = order.move(Status.CANCELLED, now, CancelReason.EXPIRED)
    if moved is None:
        raise ValueError(f"order {order.order_id} is {order.status}: it cannot expire")
    return moved


def resent(order: Order, now: datetime) -> Order:
    """The order touched by a resend of its OrderPlaced (same status, a new version)."""
    return order.model_copy(update={"updated_at": now, "version": order.version + 1})
