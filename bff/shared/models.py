"""What the BFFs read of the services' answers (tolerant readers: unknown fields are ignored)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# The header an Idempotency-Key's replay carries (foyer.idempotency.http, whose store a BFF without
# a table does not load).
REPLAYED_HEADER = "Idempotent-Replayed"
# The answer of a route that places an order, as the OpenAPI documents it (its body is the route's).
ORDER_PLACED: dict[int | str, dict[str, Any]] = {
    201: {
        "description": "The order placed (for a repeated Idempotency-Key and body: the first answer)",
        "headers": {
            "Location": {
                "description": "Where to read the order",
                "required": True,
                "schema": {"type": "string", "format": "uri-reference"},
            },
            REPLAYED_HEADER: {
                "description": "`true`: the stored answer to an earlier request with the same key",
                "schema": {"type": "string", "enum": ["true"]},
            },
        },
    }
}


class _Reader(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Money(_Reader):
    amount: int = Field(description="In the currency's minor unit (cents for EUR)")
    currency: str = Field(description="ISO 4217 code")


class Product(_Reader):
    sku: str
    name: str
    description: str = ""
    price: Money
    category: str
    image_urls: list[str] = Field(default_factory=list)
    version: int = 1


class ProductPage(_Reader):
    items: list[Product]
    next_cursor: str | None = None


class OrderLine(_Reader):
    sku: str
    name: str
    quantity: int
    unit_price: Money
    line_total: Money


class OrderStep(_Reader):
    status: str
    at: datetime
    reason: str | None = None


class Order(_Reader):
    order_id: str
    customer_id: str
    channel: str
    partner_id: str | None = None
    reference: str | None = None
    lines: list[OrderLine]
    total: Money
    status: str
    cancel_reason: str | None = None
    history: list[OrderStep] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Placed:
    """An order placed, and whether orders answered with the order an earlier request of the same
    Idempotency-Key placed (a client's retry, to be told so with `Idempotent-Replayed: true`)."""

    order: Order
    replayed: bool


class OrderPage(_Reader):
    items: list[Order]
    next_cursor: str | None = None


class TimelineStep(_Reader):
    type: str
    at: datetime
    details: dict[str, Any] = Field(default_factory=dict)


class Payment(_Reader):
    status: str
    amount: Money
    reason: str | None = None
    charge_id: str | None = None
    settled_at: datetime | None = None
