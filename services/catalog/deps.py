"""The catalog's one wiring point: its settings, its store and the aliases routes declare.

Tests swap any of these with `app.dependency_overrides`; nothing else holds process-wide state.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated

from fastapi import Depends

from foyer.dynamodb import Table
from services.catalog.settings import CatalogSettings
from services.catalog.store import CatalogStore


@cache
def get_settings() -> CatalogSettings:
    return CatalogSettings()


def build_store(settings: CatalogSettings) -> CatalogStore:
    """The store over the table `settings` names."""
    return CatalogStore(Table(settings.table_name))


@cache
def get_store() -> CatalogStore:
    """The process-wide store, created on first use (a route that needs no table never reads settings)."""
    return build_store(get_settings())


Settings = Annotated[CatalogSettings, Depends(get_settings)]
Store = Annotated[CatalogStore, Depends(get_store)]
