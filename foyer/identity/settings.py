"""Where identity comes from: the token issuer, and the API keys Terraform made for partners."""

from __future__ import annotations

import json
from typing import Any

from pydantic import AliasChoices, Field, field_validator

from foyer.settings import FoyerSettings


class IdentitySettings(FoyerSettings):
    """The issuer whose tokens users carry, and the key id -> partner mapping Terraform outputs.

    In AWS, Terraform sets the environment (FOYER_JWT_ISSUER, ...); under `make dev` the stack file
    supplies the local issuer and the mapping.
    """

    jwt_issuer: str | None = Field(None, validation_alias=AliasChoices("FOYER_JWT_ISSUER"))
    jwt_audience: str | None = Field(None, validation_alias=AliasChoices("FOYER_JWT_AUDIENCE"))
    jwks_url: str | None = Field(None, validation_alias=AliasChoices("FOYER_JWKS_URL"))
    jwt_leeway_s: int = Field(30, ge=0, le=300, validation_alias=AliasChoices("FOYER_JWT_LEEWAY_S"))
    # {"<api key id>": {"partner_id": "acme", "tier": "gold"}}
    partner_keys: dict[str, dict[str, str]] = Field(
        default_factory=dict, validation_alias=AliasChoices("FOYER_PARTNER_KEYS")
    )

    @field_validator("partner_keys", mode="before")
    @classmethod
    def _json_mapping(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value
