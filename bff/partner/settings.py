"""The partner BFF's settings: dependencies and budget (BffSettings), its table (Idempotency-Key
records) and the contact address its orders carry."""

from __future__ import annotations

import json
from typing import Any

from pydantic import AliasChoices, Field, field_validator

from bff.partner.rate_limits import Plan
from foyer.contracts import mailbox
from foyer.upstream.settings import BffSettings

SERVICE = "partner"


class PartnerSettings(BffSettings):
    # Redeclared only for the default; the alias keeps `FOYER_SERVICE` as the one env name.
    service: str = Field(SERVICE, validation_alias=AliasChoices("FOYER_SERVICE"))
    table_name: str = Field(validation_alias=AliasChoices("TABLE_NAME"))
    # A partner's order is placed for the partner, who is told through its own channel; the orders
    # service still needs an address (`<partner_id>@<this domain>`).
    partner_email_domain: str = Field(
        "partners.foyer.example",
        pattern=r"^[a-z0-9-]+(\.[a-z0-9-]+)+$",
        validation_alias=AliasChoices("PARTNER_EMAIL_DOMAIN"),
    )

    # The usage plan of each tier, as Terraform declares them (JSON of `partner_tiers`): told to the
    # partner on every answer (bff/partner/rate_limits.py).
    plans: dict[str, Plan] = Field(default_factory=dict, validation_alias=AliasChoices("PARTNER_PLANS"))

    @field_validator("plans", mode="before")
    @classmethod
    def _json_plans(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    @field_validator("partner_email_domain")
    @classmethod
    def _sendable(cls, domain: str) -> str:
        # Orders refuses an address mail cannot be sent to: a domain such as `partners.test` would
        # make every partner order a 422.
        mailbox(f"partner@{domain}")
        return domain
