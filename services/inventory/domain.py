"""Inventory's model and rules: pure Python, no I/O (persistence is store.py, HTTP is api.py).

Stock is two counters per sku: `available` (may be promised) and `reserved` (promised to orders).
A reservation moves quantities from the first to the second for all of an order's lines or none;
releasing it moves them back. Neither counter ever goes below zero.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, field_validator

# The catalog's sku rule (services never import each other; the contract is the pattern).
SKU_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,39}$"
ORDER_ID_PATTERN = r"^[A-Za-z0-9_-]+$"
MAX_STOCK = 10**9
MAX_QUANTITY = 1000
MAX_LINES = 50
MAX_AVAILABILITY_SKUS = 100

Sku = Annotated[str, StringConstraints(pattern=SKU_PATTERN)]
OrderId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=ORDER_ID_PATTERN)]
Status = Literal["reserved", "released"]


class StockLevelIn(BaseModel):
    """An operator's count of what can be sold (reserved units are not touched)."""

    model_config = ConfigDict(extra="forbid")

    available: Annotated[StrictInt, Field(ge=0, le=MAX_STOCK)]


class Stock(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sku: str
    available: int
    reserved: int = 0


class Availability(BaseModel):
    sku: str
    available: int


class Line(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sku: Sku
    quantity: Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY)]


class ReservationIn(BaseModel):
    """An order's request to hold stock: each sku once, 1 to 50 lines."""

    model_config = ConfigDict(extra="forbid")

    order_id: OrderId
    lines: Annotated[list[Line], Field(min_length=1, max_length=MAX_LINES)]

    @field_validator("lines")
    @classmethod
    def _unique_skus(cls, lines: list[Line]) -> list[Line]:
        duplicates = duplicate_skus(lines)
        if duplicates:
            raise ValueError(f"each sku may appear once; repeated: {', '.join(duplicates)}")
        return lines


class Reservation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    order_id: str
    lines: list[Line]
    status: Status
    created_at: datetime
    updated_at: datetime


def duplicate_skus(lines: Iterable[Line]) -> list[str]:
    """Skus that appear more than once, in order of their second appearance."""
    seen: set[str] = set()
    repeated: list[str] = []
    for line in lines:
        if line.sku in seen and line.sku not in repeated:
            repeated.append(line.sku)
        seen.add(line.sku)
    return repeated


def unique_skus(skus: Iterable[str]) -> list[str]:
    """Skus without repeats, in order of first appearance (`?sku=A&sku=B&sku=A` asks for A and B)."""
    return list(dict.fromkeys(skus))


def same_lines(a: Iterable[Line], b: Iterable[Line]) -> bool:
    """Whether two requests hold the same quantities of the same skus (line order does not matter)."""
    return sorted((line.sku, line.quantity) for line in a) == sorted((line.sku, line.quantity) for line in b)


def new_reservation(request: ReservationIn, now: datetime) -> Reservation:
    return Reservation(
        order_id=request.order_id,
        lines=sorted(request.lines, key=lambda line: line.sku),
        status="reserved",
        created_at=now,
        updated_at=now,
    )


@dataclass(frozen=True)
class Shortfall:
    sku: str
    requested: int
    available: int


def unknown_skus(lines: Iterable[Line], stock: Mapping[str, Stock]) -> list[str]:
    return [line.sku for line in lines if line.sku not in stock]


def shortfalls(lines: Iterable[Line], stock: Mapping[str, Stock]) -> list[Shortfall]:
    """Merge requested lines with the stock read back: the lines that cannot be served now."""
    return [
        Shortfall(line.sku, line.quantity, stock[line.sku].available)
        for line in lines
        if line.sku in stock and stock[line.sku].available < line.quantity
    ]


class Outcome(enum.Enum):
    """What a cancelled reservation transaction means, from its cancellation reasons."""

    ALREADY_RESERVED = "already-reserved"  # the order's reservation exists: compare its lines
    STOCK_CHECK_FAILED = "stock-check-failed"  # some sku is unknown or short: read the stock
    ALREADY_RELEASED = "already-released"  # release found the reservation no longer `reserved`
    CONTENDED = "contended"  # another transaction held an item: try again
    UNEXPECTED = "unexpected"


CONDITION_FAILED = "ConditionalCheckFailed"
CONFLICT = "TransactionConflict"


def reservation_outcome(reasons: Sequence[str], line_count: int) -> Outcome:
    """Map the reasons of a cancelled reserve transaction (one stock update per line, then the
    reservation put) to what to do. The existing reservation wins over stock failures: a repeated
    request must find the first answer even when the stock is gone since."""
    if len(reasons) != line_count + 1:
        return Outcome.UNEXPECTED
    *line_reasons, reservation_reason = reasons
    if reservation_reason == CONDITION_FAILED:
        return Outcome.ALREADY_RESERVED
    if CONDITION_FAILED in line_reasons:
        return Outcome.STOCK_CHECK_FAILED
    if CONFLICT in reasons:
        return Outcome.CONTENDED
    return Outcome.UNEXPECTED


def release_outcome(reasons: Sequence[str]) -> Outcome:
    """Map the reasons of a cancelled release transaction (the reservation update, then the stock)."""
    if not reasons:
        return Outcome.UNEXPECTED
    if reasons[0] == CONDITION_FAILED:
        return Outcome.ALREADY_RELEASED
    if CONFLICT in reasons:
        return Outcome.CONTENDED
    return Outcome.UNEXPECTED


# Failures the API maps to problems.
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


class ReservationNotFound(Exception):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"no reservation for order {order_id}")
        self.order_id = order_id


class Contended(Exception):
    """Concurrent transactions kept colliding on the same items; the caller may retry."""
