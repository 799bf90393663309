"""The catalog as orders see it: the name and price of each sku, read over HTTP (never from the caller).

One read per sku, all at once; a sku the catalog does not know is absent from the answer. Anything
else (a timeout, a 5xx, a body that is not a product) makes the catalog unavailable: the order is
refused with a 503 and nothing is stored.

httpx is imported on the first read, not at init: only placing an order reads the catalog (a small share of
the orders function's requests in `make cost`'s traffic), and httpx is a visible part of a cold start (see
docs/performance.md). So a cold start serving a read never pays it, as a boto3 client is paid on first use
(docs/architecture.md); SnapStart's warm-up imports it into the snapshot (services/orders/handler.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from urllib.parse import quote

from pydantic import ValidationError

from services.orders.domain import CatalogEntry

if TYPE_CHECKING:
    import httpx


class CatalogUnavailable(Exception):
    """The catalog did not answer what a price needs; the order cannot be priced now."""


class Catalog:
    """The catalog over `client`, or over the client `connect` makes on the first read (so a request
    refused before pricing never needs the catalog's address)."""

    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        *,
        connect: Callable[[], httpx.AsyncClient] | None = None,
    ) -> None:
        if (client is None) == (connect is None):
            raise ValueError("give a client or a way to connect, not both")
        self._client = client
        self._connect = connect

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            assert self._connect is not None
            self._client = self._connect()
        return self._client

    async def entries(self, skus: Iterable[str]) -> dict[str, CatalogEntry]:
        """What the catalog says of each of `skus` it knows."""
        found = await asyncio.gather(*(self._entry(sku) for sku in dict.fromkeys(skus)))
        return {entry.sku: entry for entry in found if entry is not None}

    async def _entry(self, sku: str) -> CatalogEntry | None:
        import httpx  # loaded by the client by now: a dict lookup (see the module's docstring)

        try:
            response = await self.client.get(f"/products/{quote(sku, safe='')}")
        except httpx.HTTPError as exc:
            raise CatalogUnavailable(f"catalog read of {sku} failed: {type(exc).__name__}") from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise CatalogUnavailable(f"catalog answered {response.status_code} for {sku}")
        try:
            return CatalogEntry.model_validate_json(response.content)
        except ValidationError as exc:
            raise CatalogUnavailable(f"catalog answered no product for {sku}") from exc
