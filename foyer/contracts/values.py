"""Value types event payloads carry (and the domains that keep them), defined once."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

ORDER_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
OrderId = Annotated[str, StringConstraints(pattern=ORDER_ID_PATTERN)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class Money(BaseModel):
    """An amount in minor units (cents) of an ISO 4217 currency, never a float. Any integer is read:
    whether an amount can be charged or sold at is for the service that does it to say."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: int
    currency: Currency


Sku = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9-]{2,39}$")]


class AboutOrder(BaseModel):
    """What every event of an order's saga carries: the order it is about."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    order_id: OrderId
