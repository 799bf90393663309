"""A client generated from the partner OpenAPI by openapi-python-client (a tool nobody here wrote)
runs docs/partners.md's journey: products, availability, an order placed and replayed, read and
listed, another partner refused. Generated afresh in a temporary folder on every run."""

from __future__ import annotations

import asyncio
import importlib
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from bff.partner.app import app as partner_app
from tests.bff.conftest import PARTNER_HEADER, Wiring

pytestmark = pytest.mark.integration
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The generated package `partner_client`, imported."""
    folder = tmp_path_factory.mktemp("generated")
    spec = folder / "partner.json"
    spec.write_text(json.dumps(partner_app.openapi()))
    subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(spec),
            "--meta",
            "none",
            "--output-path",
            str(folder / "partner_client"),
        ],
        check=True,
        capture_output=True,
    )
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("partner_client")
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == "partner_client" or n.startswith("partner_client.")]:
            del sys.modules[name]


def client_for(generated: Any, partner_id: str) -> Any:
    transport = httpx.ASGITransport(app=partner_app)
    http = httpx.AsyncClient(
        transport=transport, base_url="http://partner", headers={PARTNER_HEADER: partner_id}
    )
    return generated.Client(base_url="http://partner").set_async_httpx_client(http)


def test_the_guides_journey_through_a_generated_client(
    generated: Any, bffs: Wiring, catalog_items: dict[str, str]
) -> None:
    api = importlib.import_module("partner_client.api.partner_v1")
    models = importlib.import_module("partner_client.models")
    for name in (
        "list_products",
        "get_product",
        "get_availability",
        "place_order",
        "get_order",
        "list_orders",
    ):
        importlib.import_module(f"partner_client.api.partner_v1.{name}")
    coffee, tea = catalog_items["coffee"], catalog_items["tea"]

    async def journey() -> None:
        me, other = client_for(generated, f"p-{uuid.uuid4().hex[:8]}"), client_for(generated, "someone-else")
        page = await api.list_products.asyncio(client=me, limit=2)
        assert isinstance(page, models.ProductPage)
        assert len(page.items) == 2
        product = await api.get_product.asyncio(client=me, sku=coffee)
        assert product.price.amount == 1890
        stock = await api.get_availability.asyncio(client=me, skus=f"{coffee},{tea}")
        assert [(a.sku, a.available) for a in stock.items] == [(coffee, 5), (tea, 0)]

        body = models.OrderIn(lines=[models.LineIn(sku=coffee, quantity=2)], reference="PO-1001")
        key = str(uuid.uuid4())
        placed = await api.place_order.asyncio_detailed(client=me, body=body, idempotency_key=key)
        assert placed.status_code == 201
        order = placed.parsed
        assert isinstance(order, models.PartnerOrder)
        assert order.total.amount == 3780
        replay = await api.place_order.asyncio_detailed(client=me, body=body, idempotency_key=key)
        assert replay.headers["idempotent-replayed"] == "true"
        assert replay.parsed.order_id == order.order_id
        reused = await api.place_order.asyncio_detailed(
            client=me, body=models.OrderIn(lines=[models.LineIn(sku=coffee, quantity=1)]), idempotency_key=key
        )
        assert reused.status_code == 422
        assert isinstance(reused.parsed, models.Problem)  # problems parse as the documented schema
        assert reused.parsed.type_ == "urn:foyer:problem:idempotency-key-reused"

        assert (await api.get_order.asyncio(client=me, order_id=order.order_id)).status == "PENDING"
        mine = await api.list_orders.asyncio(client=me)
        assert [o.order_id for o in mine.items] == [order.order_id]
        refused = await api.get_order.asyncio_detailed(client=other, order_id=order.order_id)
        assert refused.status_code == 404
        assert refused.parsed.type_ == "urn:foyer:problem:order-not-found"

    asyncio.run(journey())
