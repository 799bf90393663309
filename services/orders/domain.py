"""Orders' model and rules: pure Python, no I/O (persistence is store.py, HTTP is api.py).

An order is placed PENDING with prices taken from the catalog, never from the caller. It moves through
a small state machine driven by the saga's events, and every move is kept in its history:

    PENDING --StockReserved--> RESERVED --PaymentAuthorized--> CONFIRMED
    PENDING --StockShortage--> CANCELLED(out_of_stock)
    RESERVED --PaymentDeclined / PaymentFailed--> CANCELLED(payment_declined / payment_failed)
    PENDING or RESERVED --deadline passed--> CANCELLED(expired)

CONFIRMED and CANCELLED are terminal. A move that does not apply to the current status (an event
delivered twice, or late) changes nothing: `apply` says so instead of raising, so a consumer can
acknowledge it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    field_validator,
)

from foyer.contracts import EVENTS, EmailAddress, ItemLine, Money, OrderPlaced, PricedLine

SKU_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,39}$"
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
MAX_LINES = 50
MAX_QUANTITY = 1000
# The largest total the payment provider charges, in minor units (services.payments.provider.MAX_AMOUNT;
# a test keeps the two equal): an order above it could only wait, stock held, until it expired.
MAX_TOTAL = 99_999_999


def _integral(value: Any) -> Any:
    """JSON Schema's `integer` counts `5.0`: accept an integral float as the int it is."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


Quantity = Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY), BeforeValidator(_integral)]
Sku = Annotated[str, StringConstraints(pattern=SKU_PATTERN)]
Identifier = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
# An address as SES parses it (foyer.contracts.email_address): an order whose confirmation cannot be sent is
# refused here, not confirmed, charged and then never told.
Email = EmailAddress
Channel = Literal["web", "mobile", "partner"]
# A payment method as the provider tokenizes it in the client (never card data): `tok_...`.
PaymentToken = Annotated[str, StringConstraints(pattern=r"^tok_[A-Za-z0-9_]{1,100}$")]
# A caller's own name for the order (a partner's purchase order number): printable ASCII, space
# included, so it shows as sent in any log, CSV or e-mail it is copied into; no controls, no markup
# beyond what ASCII punctuation allows.
REFERENCE_PATTERN = r"^[\x20-\x7e]{0,64}$"
Reference = Annotated[str, StringConstraints(pattern=REFERENCE_PATTERN)]


class Status(enum.StrEnum):
    PENDING = "PENDING"
    RESERVED = "RESERVED"
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"


class CancelReason(enum.StrEnum):
    OUT_OF_STOCK = "out_of_stock"
    PAYMENT_DECLINED = "payment_declined"
    PAYMENT_FAILED = "payment_failed"
    EXPIRED = "expired"


TERMINAL = frozenset({Status.CONFIRMED, Status.CANCELLED})


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sku: Sku
    quantity: Quantity


class OrderIn(BaseModel):
    """What a client sends to place an order: never a price, a total or a status."""

    model_config = ConfigDict(extra="forbid")

    customer_id: Identifier
    contact_email: Email
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=MAX_LINES)]
    channel: Channel
    partner_id: Identifier | None = None
    # The provider's token of the customer's payment method; payments charges its default without.
    payment_token: PaymentToken | None = None
    # The caller's own reference, stored and returned with the order (orders never reads it).
    reference: Reference | None = Field(
        None, description="The caller's own reference, kept with the order", examples=["PO-1001"]
    )

    @field_validator("lines")
    @classmethod
    def _each_sku_once(cls, lines: list[LineIn]) -> list[LineIn]:
        skus = [line.sku for line in lines]
        repeated = sorted({sku for sku in skus if skus.count(sku) > 1})
        if repeated:
            raise ValueError(f"each sku may appear once; repeated: {', '.join(repeated)}")
        return lines

    def same_request(self, other: OrderIn) -> bool:
        """Whether `other` asks for the same order (line order aside)."""
        return self.model_dump(exclude={"lines"}) == other.model_dump(exclude={"lines"}) and sorted(
            self.lines, key=lambda line: line.sku
        ) == sorted(other.lines, key=lambda line: line.sku)


class CatalogEntry(BaseModel):
    """What the catalog says of a sku when the order is placed."""

    sku: str
    name: str
    price: Money


# An order's line is what its events carry: sku, name, quantity, unit price and line total.
Line = PricedLine


class Step(BaseModel):
    """One move of the order, as its history keeps it."""

    status: Status
    at: datetime
    reason: CancelReason | None = None


class Order(BaseModel):
    model_config = ConfigDict(extra="ignore")

    order_id: str
    customer_id: str
    contact_email: str
    channel: Channel
    partner_id: str | None = None
    payment_token: str | None = None
    reference: str | None = None
    lines: list[Line]
    total: Money
    status: Status
    cancel_reason: CancelReason | None = None
    history: list[Step]
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    def move(self, to: Status, now: datetime, reason: CancelReason | None = None) -> Order | None:
        """The order after moving to `to`, or None when the move does not apply (a repeat, or late)."""
        if (self.status, to) not in ALLOWED_MOVES:
            return None
        return self.model_copy(
            update={
                "status": to,
                "cancel_reason": reason,
                "history": [*self.history, Step(status=to, at=now, reason=reason)],
                "updated_at": now,
                "version": self.version + 1,
            }
        )


ALLOWED_MOVES = frozenset(
    {
        (Status.PENDING, Status.RESERVED),
        (Status.PENDING, Status.CANCELLED),
        (Status.RESERVED, Status.CONFIRMED),
        (Status.RESERVED, Status.CANCELLED),
    }
)


# What the timeline shows of each event of an order's saga, in the order a reader expects when two
# carry the same time.
TIMELINE_EVENTS = tuple(contract.event_type for contract in EVENTS)
# The event data a step keeps: what a reader of the order page needs, nothing more.
_STEP_DETAILS = ("reason", "total", "amount", "charge_id", "refund_id", "shortfalls", "unknown_skus")


class TimelineStep(BaseModel):
    """One event of an order's saga, as its timeline (the read side) keeps it."""

    event_id: str
    type: str
    at: datetime
    details: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def of(cls, event_id: str, type_: str, at: datetime, data: Mapping[str, Any]) -> TimelineStep:
        return cls(
            event_id=event_id, type=type_, at=at, details={k: data[k] for k in _STEP_DETAILS if k in data}
        )


def timeline(steps: Iterable[TimelineStep]) -> list[TimelineStep]:
    """Steps in the order they happened, whatever order they arrived in (ties: saga order)."""
    rank = {name: i for i, name in enumerate(TIMELINE_EVENTS)}
    return sorted(steps, key=lambda step: (step.at, rank.get(step.type, len(rank)), step.event_id))


class UnknownSkus(Exception):
    def __init__(self, skus: list[str]) -> None:
        super().__init__(f"unknown skus: {', '.join(skus)}")
        self.skus = skus


class MixedCurrencies(Exception):
    def __init__(self, currencies: Iterable[str]) -> None:
        self.currencies = sorted(set(currencies))
        super().__init__(f"lines priced in several currencies: {', '.join(self.currencies)}")


class TotalOutOfRange(Exception):
    """The order's total is one no payment can be taken for: nothing (free lines only) or more than
    the provider's largest charge."""

    def __init__(self, total: Money) -> None:
        super().__init__(f"total {total.amount} {total.currency} is outside 1 to {MAX_TOTAL}")
        self.total = total
        self.max_total = Money(amount=MAX_TOTAL, currency=total.currency)


class OrderExists(Exception):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id} exists")
        self.order_id = order_id


class OrderNotFound(Exception):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"no order {order_id}")
        self.order_id = order_id


def placed_event(order: Order) -> OrderPlaced:
    """What `OrderPlaced` says: enough for inventory to reserve and payments to charge (with the
    payment method, when the customer gave one)."""
    return OrderPlaced(
        order_id=order.order_id,
        customer_id=order.customer_id,
        channel=order.channel,
        partner_id=order.partner_id,
        lines=[ItemLine(sku=line.sku, quantity=line.quantity) for line in order.lines],
        total=order.total,
        **({} if order.payment_token is None else {"payment_source": order.payment_token}),
    )


def place(order_id: str, request: OrderIn, catalog: Mapping[str, CatalogEntry], now: datetime) -> Order:
    """A PENDING order priced from `catalog`. Raises UnknownSkus, MixedCurrencies, or TotalOutOfRange
    for a total that can never be charged."""
    unknown = [line.sku for line in request.lines if line.sku not in catalog]
    if unknown:
        raise UnknownSkus(unknown)
    currencies = {catalog[line.sku].price.currency for line in request.lines}
    if len(currencies) != 1:
        raise MixedCurrencies(currencies)
    (currency,) = currencies
    lines = [
        Line(
            sku=line.sku,
            name=catalog[line.sku].name,
            quantity=line.quantity,
            unit_price=catalog[line.sku].price,
            line_total=Money(amount=catalog[line.sku].price.amount * line.quantity, currency=currency),
        )
        for line in request.lines
    ]
    total = Money(amount=sum(line.line_total.amount for line in lines), currency=currency)
    if not 0 < total.amount <= MAX_TOTAL:
        raise TotalOutOfRange(total)
    return Order(
        order_id=order_id,
        customer_id=request.customer_id,
        contact_email=request.contact_email,
        channel=request.channel,
        partner_id=request.partner_id,
        payment_token=request.payment_token,
        reference=request.reference,
        lines=lines,
        total=total,
        status=Status.PENDING,
        history=[Step(status=Status.PENDING, at=now)],
        created_at=now,
        updated_at=now,
    )
