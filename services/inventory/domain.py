"""Inventory's model and rules: pure Python, no I/O (persistence is store.py, HTTP is api.py).

Stock is two counters per sku: `available` (may be promised) and `reserved` (promised to orders).
A reservation moves quantities from the first to the second for all of an order's lines or none;
releasing it moves them back. Neither counter ever goes below zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, StringConstraints

# The catalog's sku rule (services never import each other; the contract is the pattern).
SKU_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,39}$"
ORDER_ID_PATTERN = r"^[A-Za-z0-9_-]+$"
MAX_STOCK = 10**9
MAX_QUANTITY = 1000
MAX_LINES = 50
MAX_AVAILABILITY_SKUS = 100

Sku = Annotated[str, StringConstraints(pattern=SKU_PATTERN)]
OrderId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=ORDER_ID_PATTERN)]
# reserved -> released (stock back on the shelf) or committed (its order confirmed: the units left).
Status = Literal["reserved", "released", "committed"]


def _integral(value: Any) -> Any:
    """JSON Schema's `integer` counts `5.0`: accept an integral float as the int it is."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Integers as JSON Schema means them (5 and 5.0), never a string or a boolean. The bounds stand
# inside the validator so the schema publishes them as minimum and maximum.
StockCount = Annotated[StrictInt, Field(ge=0, le=MAX_STOCK), BeforeValidator(_integral)]
Quantity = Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY), BeforeValidator(_integral)]


class StockLevelIn(BaseModel):
    """An operator's count of what can be sold (reserved units are not touched)."""

    model_config = ConfigDict(extra="forbid")

    available: StockCount


class Stock(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sku: str
    available: int
    reserved: int = 0


class Availability(BaseModel):
    sku: str
    available: int


class Line(BaseModel):
    """One line of a reservation request."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sku: Sku
    quantity: Quantity


class HeldLine(BaseModel):
    """What a reservation holds of one sku: the request's lines of that sku added up."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    sku: str
    quantity: Annotated[int, Field(ge=1, le=MAX_QUANTITY * MAX_LINES)]


class ReservationIn(BaseModel):
    """An order's request to hold stock: 1 to 50 lines. A sku named on several lines is held once,
    for their total (JSON Schema cannot say "unique by sku", so the API accepts what it publishes)."""

    model_config = ConfigDict(extra="forbid")

    order_id: OrderId
    lines: Annotated[list[Line], Field(min_length=1, max_length=MAX_LINES)]

    def held_lines(self) -> list[HeldLine]:
        """The lines merged per sku, in sku order (the order in which stock is taken)."""
        totals: dict[str, int] = {}
        for line in self.lines:
            totals[line.sku] = totals.get(line.sku, 0) + line.quantity
        return [HeldLine(sku=sku, quantity=quantity) for sku, quantity in sorted(totals.items())]


class Reservation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    order_id: str
    lines: list[HeldLine]
    status: Status
    created_at: datetime
    updated_at: datetime

    def answers(self, request: ReservationIn) -> bool:
        """Whether `request` is this reservation asked for again: same order, same quantities per sku."""
        return request.order_id == self.order_id and request.held_lines() == sorted(
            self.lines, key=lambda line: line.sku
        )


def unique_skus(skus: Iterable[str]) -> list[str]:
    """Skus without repeats, in order of first appearance (`?sku=A&sku=B&sku=A` asks for A and B)."""
    return list(dict.fromkeys(skus))


def new_reservation(request: ReservationIn, now: datetime) -> Reservation:
    return Reservation(
        order_id=request.order_id,
        lines=request.held_lines(),
        status="reserved",
        created_at=now,
        updated_at=now,
    )


@dataclass(frozen=True)
class Shortfall:
    sku: str
    requested: int
    available: int


def unknown_skus(lines: Iterable[HeldLine], stock: Mapping[str, Stock]) -> list[str]:
    return [line.sku for line in lines if line.sku not in stock]


def shortfalls(lines: Iterable[HeldLine], stock: Mapping[str, Stock]) -> list[Shortfall]:
    """Merge requested lines with the stock read back: the lines that cannot be served now."""
    return [
        Shortfall(line.sku, line.quantity, stock[line.sku].available)
        for line in lines
        if line.sku in stock and stock[line.sku].available < line.quantity
    ]


# Failures (services/inventory/problems.py says how each leaves over HTTP).
class StockNotFound(Exception):
    """No stock is recorded for these skus."""

    def __init__(self, skus: list[str]) -> None:
        super().__init__(f"no stock recorded for {', '.join(skus)}")
        self.skus = skus


class UnknownSkus(Exception):
    def __init__(self, skus: list[str]) -> None:
        super().__init__(f"unknown skus: {', '.join(skus)}")
        self.skus = skus


class InsufficientStock(Exception):
    def __init__(self, lines: list[Shortfall]) -> None:
        super().__init__(f"insufficient stock for {', '.join(s.sku for s in lines)}")
        self.lines = lines


class ReservationMismatch(Exception):
    """The order already holds a reservation with other lines."""

    def __init__(self, existing: Reservation) -> None:
        super().__init__(f"order {existing.order_id} already holds other lines")
        self.existing = existing


class ReservationReleased(Exception):
    """The order's reservation was released: an order id reserves stock once, and holds none now."""

    def __init__(self, existing: Reservation) -> None:
        super().__init__(f"order {existing.order_id}'s reservation was released")
        self.existing = existing


class ReservationCommitted(Exception):
    """The order's reservation was committed (its order confirmed): its units are sold, and cannot be
    given back."""

    def __init__(self, existing: Reservation) -> None:
        super().__init__(f"order {existing.order_id}'s reservation was committed")
        self.existing = existing


class ReservationNotFound(Exception):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"no reservation for order {order_id}")
        self.order_id = order_id


class Contended(Exception):
    """Concurrent transactions kept colliding on the same items; the caller may retry."""
