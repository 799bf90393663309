"""Where identity comes from: the token issuer, and the table that names each partner API key's holder."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from foyer.identity.issuer import DEFAULT_LEEWAY_S, MAX_LEEWAY_S, VARIABLES
from foyer.settings import FoyerSettings


class IdentitySettings(FoyerSettings):
    """The issuer whose tokens users carry, and the table holding each partner API key's record.

    In AWS, Terraform sets the environment (FOYER_JWT_ISSUER, ..., FOYER_PARTNER_KEY_TABLE on the
    partner BFF); under `make dev` the stack file supplies the local issuer and the partner's table.
    The issuer's names and bounds are declared once, in foyer.identity.issuer, whose pydantic-free
    reader the authorizer uses.
    """

    jwt_issuer: str | None = Field(None, validation_alias=AliasChoices(VARIABLES["jwt_issuer"]))
    jwt_audience: str | None = Field(None, validation_alias=AliasChoices(VARIABLES["jwt_audience"]))
    jwks_url: str | None = Field(None, validation_alias=AliasChoices(VARIABLES["jwks_url"]))
    jwt_leeway_s: int = Field(
        DEFAULT_LEEWAY_S, ge=0, le=MAX_LEEWAY_S, validation_alias=AliasChoices(VARIABLES["jwt_leeway_s"])
    )
    # The partner BFF's table: `api-key#<key id>` -> {partner_id, tier} (devtools.cli.partner_keys writes it).
    partner_key_table: str | None = Field(None, validation_alias=AliasChoices("FOYER_PARTNER_KEY_TABLE"))
