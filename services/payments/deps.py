"""Payments' one wiring point: settings, the store, the provider client, the charger, and the aliases
routes declare. Tests swap any of these with `app.dependency_overrides`, or build a Charger."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from fastapi import Depends

from foyer.dynamodb import Table
from foyer.payment_provider import PaymentProvider
from foyer.secrets import CachedSecret
from services.payments.charging import Charger
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


def build_charger(settings: PaymentsSettings, store: PaymentsStore) -> Charger:
    """A charger over `store`, charging through the provider `settings` name with the API key read
    from Secrets Manager (on the first charge, then cached for the settings' TTL)."""
    key = CachedSecret(settings.provider_secret, ttl_s=settings.provider_secret_ttl_s)
    return Charger(
        store,
        PaymentProvider(settings.provider_url, key),
        default_source=settings.default_source,
        max_failures=settings.max_failed_deliveries,
    )


@cache
def get_charger() -> Charger:
    """The process-wide charger (one provider client, one connection pool), created on first event."""
    return build_charger(get_settings(), get_store())


Settings = Annotated[PaymentsSettings, Depends(get_settings)]
Store = Annotated[PaymentsStore, Depends(get_store)]
