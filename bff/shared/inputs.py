"""What the BFFs accept from their clients when an order is placed (the orders service checks again)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
)

from foyer.contracts import EmailAddress

SKU_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,39}$"
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
CATEGORY_PATTERN = r"^[a-z0-9-]{1,50}$"
# A client's Idempotency-Key: visible ASCII. Shorter than the services' 255: the BFF prefixes it
# with who is calling before passing it on.
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,128}$"
MAX_LINES = 50
MAX_QUANTITY = 1000
MAX_PAGE = 100


def _integral(value: Any) -> Any:
    """JSON Schema's `integer` counts `5.0`: accept an integral float as the int it is."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


Sku = Annotated[str, StringConstraints(pattern=SKU_PATTERN)]
Quantity = Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY), BeforeValidator(_integral)]
# Refused here as orders would refuse it, so a checkout never places an order that cannot be told.
Email = EmailAddress


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sku: Sku
    quantity: Quantity


def _each_sku_once(lines: list[LineIn]) -> list[LineIn]:
    """Orders refuses an order naming a sku twice: refused here, in the client's words, not relayed."""
    skus = [line.sku for line in lines]
    repeated = sorted({sku for sku in skus if skus.count(sku) > 1})
    if repeated:
        raise ValueError(f"each sku may appear once; repeated: {', '.join(repeated)}")
    return lines


Lines = Annotated[list[LineIn], Field(min_length=1, max_length=MAX_LINES), AfterValidator(_each_sku_once)]


class CheckoutIn(BaseModel):
    """A signed-in customer's checkout (web and mobile): who they are comes from their token."""

    model_config = ConfigDict(extra="forbid")

    contact_email: Email
    lines: Lines


RequiredIdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description="Required: the same key and body place one order, however often they are sent",
    ),
]
