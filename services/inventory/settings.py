"""The inventory's settings: its name and its table (env `TABLE_NAME` or the local stack file)."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from foyer.settings import ServiceSettings

SERVICE = "inventory"


class InventorySettings(ServiceSettings):
    # Redeclared only for the default; the alias keeps `FOYER_SERVICE` as the one env name.
    service: str = Field(SERVICE, validation_alias=AliasChoices("FOYER_SERVICE"))
