"""Payments' one wiring point: settings, the store, and the aliases
routes declare. Tests swap any of these with `app.dependency_overrides`, or build a Charger."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from fastapi import Depends

from foyer.dynamodb import Table
from services.payments.settings import PaymentsSettings
from services.payments.store import PaymentsStore


@cache
def get_settings() -> PaymentsSettings:
    return PaymentsSettings()


def build_store(settings: PaymentsSettings) -> PaymentsStore:
    """The store over the table `settings` names."""
    return PaymentsStore(Table(settings.table_name))


@cache
def get_store() -> PaymentsStore:
    """The process-wide store, created on first use."""
    return build_store(get_settings())


Settings = Annotated[PaymentsSettings, Depends(get_settings)]
Store = Annotated[PaymentsStore, Depends(get_store)]
