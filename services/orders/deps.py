"""Orders' one wiring point: settings, the store, the idempotency records, the catalog client, and the
aliases routes declare. Tests swap any of these with `app.dependency_overrides`."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends

from foyer.dynamodb import Table
from foyer.idempotency import IdempotencyStore
from foyer.idempotency.http import IdempotentCall, idempotent
from services.orders.catalog import Catalog
from services.orders.settings import OrdersSettings
from services.orders.store import OrdersStore

if TYPE_CHECKING:
    import httpx


@cache
def get_settings() -> OrdersSettings:
    return OrdersSettings()


def build_store(settings: OrdersSettings) -> OrdersStore:
    """The store over the table `settings` names."""
    return OrdersStore(Table(settings.table_name))


@cache
def get_store() -> OrdersStore:
    """The process-wide store, created on first use."""
    return build_store(get_settings())


def get_idempotency_store(store: Annotated[OrdersStore, Depends(get_store)]) -> IdempotencyStore:
    """Idempotency-Key records live in the orders table (a dependency of the store, so an override of
    the store moves them too)."""
    return IdempotencyStore(store.table)


@cache
def get_catalog() -> Catalog:
    """One HTTP client per process, reused by every request (its connections stay open); in AWS it
    signs its calls, as the catalog's function URL admits only signed callers. httpx is imported when
    the first order is priced (services/orders/catalog.py says why)."""

    def connect() -> httpx.AsyncClient:
        import httpx

        from foyer.signing import signing

        settings = get_settings()
        return httpx.AsyncClient(
            base_url=settings.catalog_url,
            timeout=settings.catalog_timeout_s,
            auth=signing(settings.sign_service_calls, settings.aws_region),
        )

    return Catalog(connect=connect)


Settings = Annotated[OrdersSettings, Depends(get_settings)]
Store = Annotated[OrdersStore, Depends(get_store)]
CatalogReader = Annotated[Catalog, Depends(get_catalog)]
Once = Annotated[IdempotentCall, Depends(idempotent(get_idempotency_store))]
