"""Seed the demo catalog through the services' own HTTP APIs (the same validation as any client)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import httpx

CATALOG_FILE = "demo_catalog.json"


def demo_products() -> list[dict[str, Any]]:
    text = resources.files("foyer.devstack").joinpath(CATALOG_FILE).read_text()
    products: list[dict[str, Any]] = json.loads(text)["products"]
    return products


def seed(catalog_url: str, inventory_url: str) -> int:
    """Create every demo product and set its stock; returns how many products were seeded.

    Safe to run twice: an existing product (409) is left as it is, stock is set again.
    """
    count = 0
    with httpx.Client(timeout=10) as client:
        for product in demo_products():
            stock = product["stock"]
            body = {k: v for k, v in product.items() if k != "stock"}
            created = client.post(f"{catalog_url}/products", json=body)
            if created.status_code not in (201, 409):
                raise RuntimeError(f"seeding {body['sku']} failed: {created.status_code} {created.text}")
            stocked = client.put(f"{inventory_url}/stock/{body['sku']}", json={"available": stock})
            stocked.raise_for_status()
            count += 1
    return count
