"""The events inventory publishes (source `foyer.inventory`): an order's stock held, or not."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from foyer.contracts.base import EventData
from foyer.contracts.orders import MAX_LINES, ItemLine
from foyer.contracts.values import AboutOrder, Money

SOURCE = "foyer.inventory"


class StockReserved(AboutOrder, EventData, source=SOURCE):
    """The order's stock is held: enough for payments to charge it (with the order's payment method,
    when it has one)."""

    customer_id: str
    lines: Annotated[list[ItemLine], Field(min_length=1, max_length=MAX_LINES)]
    total: Money
    channel: str | None = None
    partner_id: str | None = None
    contact_email: str | None = None
    payment_source: Annotated[str, Field(min_length=1, max_length=255)] | None = None


class Shortfall(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    sku: str
    requested: int
    available: int


class StockShortage(AboutOrder, EventData, source=SOURCE):
    """Nothing is held: the lines that could not be (short, or unknown skus)."""

    shortfalls: list[Shortfall] = []
    unknown_skus: list[str] = []
