"""Seed the demo catalog through the services' own HTTP APIs (the same validation as any client)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import httpx
from tenacity import retry, retry_if_exception, stop_after_delay, wait_exponential

CATALOG_FILE = "demo_catalog.json"


def demo_products() -> list[dict[str, Any]]:
    text = resources.files("devtools.devstack").joinpath(CATALOG_FILE).read_text()
    products: list[dict[str, Any]] = json.loads(text)["products"]
    return products


def _transient(error: BaseException) -> bool:
    """A timeout, a dropped connection or a 5xx: what a slow, busy machine causes, worth trying again."""
    if isinstance(error, httpx.HTTPStatusError):
        return error.response.status_code >= 500
    return isinstance(error, httpx.TransportError)


# Both writes are idempotent (a product that exists is a 409 left alone, stock is set), so a write
# whose answer was lost is simply made again.
_patiently = retry(
    retry=retry_if_exception(_transient),
    wait=wait_exponential(multiplier=0.2, max=5),
    stop=stop_after_delay(120),
    reraise=True,
)


@_patiently
def _create(client: httpx.Client, url: str, body: dict[str, Any]) -> None:
    created = client.post(url, json=body)
    if created.status_code >= 500:
        created.raise_for_status()
    if created.status_code not in (201, 409):
        raise RuntimeError(f"seeding {body['sku']} failed: {created.status_code} {created.text}")


@_patiently
def _stock(client: httpx.Client, url: str, available: int) -> None:
    client.put(url, json={"available": available}).raise_for_status()


def seed(catalog_url: str, inventory_url: str, *, timeout: float = 10) -> int:
    """Create every demo product and set its stock; returns how many products were seeded.

    Safe to run twice: an existing product (409) is left as it is, stock is set again. A transient
    failure (timeout, connection, 5xx) is retried for up to two minutes before seeding gives up.
    """
    count = 0
    with httpx.Client(timeout=timeout) as client:
        for product in demo_products():
            body = {k: v for k, v in product.items() if k != "stock"}
            _create(client, f"{catalog_url}/products", body)
            _stock(client, f"{inventory_url}/stock/{body['sku']}", product["stock"])
            count += 1
    return count
