"""The catalog's settings: its name and its table (env `TABLE_NAME` or the local stack file)."""

from __future__ import annotations

from functools import cache

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from foyer.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    # The stack file's values arrive by field name (`table_name`), the environment's by alias
    # (`TABLE_NAME`): accept both, or the stack file is ignored.
    model_config = SettingsConfigDict(populate_by_name=True)

    # Redeclared only for the default; the alias keeps `FOYER_SERVICE` as the one env name.
    service: str = Field("catalog", validation_alias=AliasChoices("FOYER_SERVICE"))


@cache
def get_settings() -> CatalogSettings:
    return CatalogSettings()
