"""The events orders publishes (source `foyer.orders`): an order placed, and how it ended."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from foyer.contracts.base import EventData
from foyer.contracts.values import AboutOrder, Money, Sku

SOURCE = "foyer.orders"
MAX_LINES = 50


class ItemLine(BaseModel):
    """A line as stock sees it: which sku, how many."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    sku: Sku
    quantity: int = Field(ge=1)


class PricedLine(ItemLine):
    """A line as the customer saw it: named and priced."""

    name: str
    unit_price: Money
    line_total: Money


class OrderPlaced(AboutOrder, EventData, source=SOURCE):
    """An order was placed: enough for inventory to reserve and payments to charge (with the
    customer's payment method, when they gave one)."""

    customer_id: str
    channel: str
    partner_id: str | None = None
    lines: Annotated[list[ItemLine], Field(min_length=1, max_length=MAX_LINES)]
    total: Money
    contact_email: str | None = None
    payment_source: str | None = None


class OrderEnded(AboutOrder):
    """What an order's end says of it: who to tell, and what was ordered."""

    customer_id: str
    # Bounded only: the e-mail channel parses it as SES does before sending.
    contact_email: str = Field(min_length=3, max_length=254)
    channel: str
    partner_id: str | None = None
    lines: Annotated[list[PricedLine], Field(min_length=1)]
    total: Money


class OrderConfirmed(OrderEnded, EventData, source=SOURCE):
    """The order is paid for: its stock is committed and the customer told."""


class OrderCancelled(OrderEnded, EventData, source=SOURCE):
    """The order ended without a sale, and why (`out_of_stock`, `payment_declined`, ...): its stock is
    released and a charge made for it refunded."""

    reason: str | None = None
