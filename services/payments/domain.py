"""Payments' model and rules: pure Python, no I/O (persistence is store.py, the provider is charging.py).

A payment is what charging an order came to, settled once per order:

    StockReserved --charge--> authorized (PaymentAuthorized)
    StockReserved --charge--> declined   (PaymentDeclined, the decline code as reason; never retried)
    StockReserved --charge--> failed     (PaymentFailed, once the provider gave no answer on
                                          `max_failures` deliveries of the event; see ChargeTries)
    StockReserved ----------> failed     (PaymentFailed at once, when the charge can never be made:
                                          a total outside the provider's range, never sent, or a
                                          request the provider refuses for good)
    authorized --refund--> refunded      (PaymentRefunded: the order was cancelled while its
                                          charge was in flight; once, whoever learns it first)

Each outcome is announced by exactly one event whose data the orders saga and the timeline read.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from foyer.contracts import (
    ORDER_ID_PATTERN,
    EventData,
    Money,
    OrderId,
    PaymentAuthorized,
    PaymentDeclined,
    PaymentFailed,
    PaymentRefunded,
    StockReserved,
)

ID_PATTERN = ORDER_ID_PATTERN


class ChargeRequest(BaseModel):
    """What payments charges for a `StockReserved`: the order, its total, and how to pay it.

    `payment_source` is a card token here. A real integration would carry a reference to a payment
    method the customer saved with the provider at checkout (never card data), and charge that.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    order_id: OrderId
    total: Money
    payment_source: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = None

    @classmethod
    def of(cls, reserved: StockReserved) -> ChargeRequest:
        """The charge a reservation asks for."""
        return cls(order_id=reserved.order_id, total=reserved.total, payment_source=reserved.payment_source)

    def chargeable(self, max_amount: int) -> bool:
        """Whether the total is one the provider can charge at all (1 to `max_amount` minor units)."""
        return 0 < self.total.amount <= max_amount


class Status(enum.StrEnum):
    AUTHORIZED = "authorized"
    DECLINED = "declined"
    FAILED = "failed"
    REFUNDED = "refunded"


# The event contract each settled status announces.
EVENTS: dict[Status, type[EventData]] = {
    Status.AUTHORIZED: PaymentAuthorized,
    Status.DECLINED: PaymentDeclined,
    Status.FAILED: PaymentFailed,
    Status.REFUNDED: PaymentRefunded,
}


class Payment(BaseModel):
    """An order's settled payment. `attempts` counts calls to the provider over every delivery (none
    for a total it could never charge); `created_at` is the first of them, `settled_at` when the
    outcome was recorded."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    order_id: str
    amount: Money
    status: Status
    reason: str | None = None
    charge_id: str | None = None
    refund_id: str | None = None
    attempts: int = Field(ge=0)
    created_at: datetime
    settled_at: datetime
    refunded_at: datetime | None = None

    def event(self) -> EventData:
        """The one event that announces this payment."""
        said: dict[str, Any] = {"order_id": self.order_id, "amount": self.amount, "charge_id": self.charge_id}
        if self.status is Status.REFUNDED:
            said["refund_id"] = self.refund_id
        elif self.status is not Status.AUTHORIZED:
            said["reason"] = self.reason
        return EVENTS[self.status].model_validate(said)

    @property
    def refund_key(self) -> str:
        """The provider's idempotency key of this payment's refund: one refund per order."""
        return f"refund-{self.order_id}"

    def refunded(self, refund_id: str, at: datetime) -> Payment:
        """This authorized payment given back. Raises ValueError for any other payment."""
        if self.status is not Status.AUTHORIZED or self.charge_id is None:
            raise ValueError(f"payment of order {self.order_id} is {self.status}: nothing to refund")
        return self.model_copy(update={"status": Status.REFUNDED, "refund_id": refund_id, "refunded_at": at})


class ChargeTries(BaseModel):
    """The deliveries of an order's charge that ended without an answer from the provider.

    The provider's `Failed` does not mean "not charged" (an attempt whose answer was lost may have
    charged), so a failed delivery is not settled: the event is delivered again and the same order
    id (the provider's idempotency key) asked again, which returns that charge if one was made.
    Only after `max_failures` such deliveries is the payment settled as failed, so the saga ends.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    order_id: str
    failures: int = 0
    attempts: int = 0
    first_at: datetime | None = None
    last_reason: str | None = None

    def exhausted(self, max_failures: int) -> bool:
        return self.failures >= max_failures


class PaymentNotFound(Exception):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"no payment for order {order_id}")
        self.order_id = order_id


def settle(
    request: ChargeRequest,
    status: Status,
    *,
    attempts: int,
    started_at: datetime,
    settled_at: datetime,
    tries: ChargeTries | None = None,
    reason: str | None = None,
    charge_id: str | None = None,
) -> Payment:
    """The payment of `request` settled as `status` at `settled_at`, after `attempts` provider calls
    begun at `started_at`, plus those of earlier failed deliveries (`tries`)."""
    earlier = tries or ChargeTries(order_id=request.order_id)
    return Payment(
        order_id=request.order_id,
        amount=request.total,
        status=status,
        reason=reason,
        charge_id=charge_id,
        attempts=earlier.attempts + attempts,
        created_at=earlier.first_at or started_at,
        settled_at=settled_at,
    )
