"""The inventory's one wiring point: its settings, its store and the aliases routes declare.

Tests swap any of these with `app.dependency_overrides`; nothing else holds process-wide state.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated

from fastapi import Depends

from foyer.dynamodb import Table
from services.inventory.settings import InventorySettings
from services.inventory.store import InventoryStore


@cache
def get_settings() -> InventorySettings:
    return InventorySettings()


def build_store(settings: InventorySettings) -> InventoryStore:
    """The store over the table `settings` names."""
    return InventoryStore(Table(settings.table_name))


@cache
def get_store() -> InventoryStore:
    """The process-wide store, created on first use (a route that needs no table never reads settings)."""
    return build_store(get_settings())


Settings = Annotated[InventorySettings, Depends(get_settings)]
Store = Annotated[InventoryStore, Depends(get_store)]
