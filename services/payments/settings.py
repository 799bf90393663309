"""Payments' settings: its table, the payment provider (where, and the secret holding its API key),
the card source used when an event names none, and how many unanswered deliveries settle as failed."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from foyer.secrets import DEFAULT_TTL_S
from foyer.settings import ServiceSettings

SERVICE = "payments"
# The name under which the local stack lists the provider's sandbox among its running apps.
PROVIDER_APP = "payment-provider"


class PaymentsSettings(ServiceSettings):
    # Redeclared only for the default; the alias keeps `FOYER_SERVICE` as the one env name.
    service: str = Field(SERVICE, validation_alias=AliasChoices("FOYER_SERVICE"))
    # The provider's base URL (its API is `<url>/v1/charges`); locally the stack file's sandbox.
    provider_url_setting: str | None = Field(None, validation_alias=AliasChoices("PAYMENT_PROVIDER_URL"))
    # The ARN (or name) of the Secrets Manager secret holding the provider's API key: never the key.
    provider_secret_id: str | None = Field(None, validation_alias=AliasChoices("PAYMENT_PROVIDER_SECRET_ARN"))
    # How long a process keeps the key before reading it again (a rotation is seen within this).
    provider_secret_ttl_s: float = Field(
        DEFAULT_TTL_S, gt=0, le=3600, validation_alias=AliasChoices("PAYMENT_PROVIDER_SECRET_TTL_S")
    )
    # The card charged when `StockReserved` carries no `payment_source`: a sandbox test token. A real
    # integration carries a reference to the customer's saved payment method in the event instead.
    default_source: str = Field(
        "tok_visa", min_length=1, validation_alias=AliasChoices("PAYMENT_DEFAULT_SOURCE")
    )
    # Deliveries of one order's charge that may end without the provider's answer before the payment
    # is settled as failed. Each delivery already retries within the client's bound (5 attempts,
    # 20 s); the queue's maxReceiveCount must exceed this, or the message reaches the DLQ first.
    max_failed_deliveries: int = Field(
        3, ge=1, le=20, validation_alias=AliasChoices("PAYMENT_MAX_FAILED_DELIVERIES")
    )

    @property
    def provider_url(self) -> str:
        if self.provider_url_setting:
            return self.provider_url_setting
        try:
            return self.service_urls[PROVIDER_APP]
        except KeyError:
            raise LookupError(
                "no URL for the payment provider: set PAYMENT_PROVIDER_URL or run `make dev`"
            ) from None

    @property
    def provider_secret(self) -> str:
        if not self.provider_secret_id:
            raise LookupError("no secret for the payment provider's API key: set PAYMENT_PROVIDER_SECRET_ARN")
        return self.provider_secret_id
