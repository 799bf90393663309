"""Where identity comes from: the token issuer, and the API keys Terraform made for partners."""

from __future__ import annotations

import json
from typing import Any

from pydantic import AliasChoices, Field, field_validator

from foyer.identity.issuer import DEFAULT_LEEWAY_S, MAX_LEEWAY_S, VARIABLES
from foyer.settings import FoyerSettings


class IdentitySettings(FoyerSettings):
    """The issuer whose tokens users carry, and the key id -> partner mapping Terraform outputs.

    In AWS, Terraform sets the environment (FOYER_JWT_ISSUER, ...); under `make dev` the stack file
    supplies the local issuer and the mapping. The issuer's names and bounds are declared once, in
    foyer.identity.issuer, whose pydantic-free reader the authorizer uses.
    """

    jwt_issuer: str | None = Field(None, validation_alias=AliasChoices(VARIABLES["jwt_issuer"]))
    jwt_audience: str | None = Field(None, validation_alias=AliasChoices(VARIABLES["jwt_audience"]))
    jwks_url: str | None = Field(None, validation_alias=AliasChoices(VARIABLES["jwks_url"]))
    jwt_leeway_s: int = Field(
        DEFAULT_LEEWAY_S, ge=0, le=MAX_LEEWAY_S, validation_alias=AliasChoices(VARIABLES["jwt_leeway_s"])
    )
    # {"<api key id>": {"partner_id": "acme", "tier": "gold"}}
    partner_keys: dict[str, dict[str, str]] = Field(
        default_factory=dict, validation_alias=AliasChoices("FOYER_PARTNER_KEYS")
    )

    @field_validator("partner_keys", mode="before")
    @classmethod
    def _json_mapping(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value
