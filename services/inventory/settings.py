"""Inventory's settings: its name and its table (env `TABLE_NAME` or the local stack file)."""

from __future__ import annotations

from functools import cache

from pydantic import AliasChoices, Field

from foyer.settings import ServiceSettings


class InventorySettings(ServiceSettings):
    # Redeclared only for the default; the alias keeps `FOYER_SERVICE` as the one env name.
    service: str = Field("inventory", validation_alias=AliasChoices("FOYER_SERVICE"))


@cache
def get_settings() -> InventorySettings:
    return InventorySettings()
