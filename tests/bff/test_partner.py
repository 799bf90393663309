"""The partner API in process over the real services: the v1 journey, Idempotency-Key rules (8
concurrent duplicates place one order), a partner sees only its own orders, 503/504 and the breaker."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from bff.partner.app import app as partner_app
from bff.partner.deps import CALLS
from bff.partner.settings import PartnerSettings
from bff.shared import Services
from bff.shared.inputs import IDEMPOTENCY_KEY_PATTERN
from foyer.errors import MEDIA_TYPE
from foyer.upstream import Breakers
from tests.bff.conftest import APPS, PARTNER_HEADER, Upstreams, Wiring, wire
from tests.services.conftest import ServiceWiring

pytestmark = pytest.mark.integration


def partner(name: str, **headers: str) -> dict[str, str]:
    return {PARTNER_HEADER: name, **headers}


def new_partner() -> str:
    return f"p-{uuid.uuid4().hex[:8]}"


def order_body(sku: str, quantity: int = 1, reference: str | None = "PO-1") -> dict[str, Any]:
    return {"lines": [{"sku": sku, "quantity": quantity}], "reference": reference}


def test_the_v1_journey(bffs: Wiring, catalog_items: dict[str, str]) -> None:
    api, me = bffs.clients["partner"], partner(new_partner())
    coffee, tea = catalog_items["coffee"], catalog_items["tea"]
    first = api.get("/v1/products", params={"limit": 1}, headers=me)
    assert first.status_code == 200
    assert len(first.json()["items"]) == 1
    assert first.json()["next_cursor"]
    product = api.get(f"/v1/products/{coffee}", headers=me).json()
    assert product["price"] == {"amount": 1890, "currency": "EUR"}
    stock = api.get("/v1/availability", params={"skus": f"{coffee},{tea}"}, headers=me).json()
    assert stock == {"items": [{"sku": coffee, "available": 5}, {"sku": tea, "available": 0}]}

    placed = api.post("/v1/orders", json=order_body(coffee, 2), headers=me | {"Idempotency-Key": "k1"})
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert placed.headers["location"] == f"/v1/orders/{order['order_id']}"
    assert order["reference"] == "PO-1"
    assert order["total"] == {"amount": 3780, "currency": "EUR"}
    read = api.get(f"/v1/orders/{order['order_id']}", headers=me).json()
    assert (read["status"], read["reference"]) == ("PENDING", "PO-1")
    listed = api.get("/v1/orders", headers=me).json()["items"]
    assert [(o["order_id"], o["reference"]) for o in listed] == [(order["order_id"], "PO-1")]


def test_the_reference_is_the_one_orders_stored(
    bffs: Wiring, wired_services: dict[str, ServiceWiring], catalog_items: dict[str, str]
) -> None:
    api, me = bffs.clients["partner"], partner(new_partner())
    body = order_body(catalog_items["coffee"], reference="PO 77/b")
    placed = api.post("/v1/orders", json=body, headers=me | {"Idempotency-Key": "ref"}).json()
    # Read from the orders service itself: the partner API shows what orders kept, not an echo.
    stored = TestClient(wired_services["orders"].app).get(f"/orders/{placed['order_id']}").json()
    assert stored["reference"] == placed["reference"] == "PO 77/b"
    plain = api.post(
        "/v1/orders",
        json=order_body(catalog_items["tea"], reference=None),
        headers=me | {"Idempotency-Key": "n"},
    )
    assert api.get(plain.headers["location"], headers=me).json()["reference"] is None


def test_the_same_key_replays_another_body_is_422(bffs: Wiring, catalog_items: dict[str, str]) -> None:
    api, me = bffs.clients["partner"], partner(new_partner(), **{"Idempotency-Key": "same"})
    first = api.post("/v1/orders", json=order_body(catalog_items["coffee"]), headers=me)
    again = api.post("/v1/orders", json=order_body(catalog_items["coffee"]), headers=me)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    other = api.post("/v1/orders", json=order_body(catalog_items["coffee"], 3), headers=me)
    assert other.status_code == 422
    assert other.json()["type"] == "urn:foyer:problem:idempotency-key-reused"
    missing = api.post("/v1/orders", json=order_body(catalog_items["coffee"]), headers=partner("x"))
    assert missing.status_code == 422
    assert missing.headers["content-type"] == MEDIA_TYPE


def visible_key(length: int) -> str:
    """An Idempotency-Key of `length` characters cycling through every visible ASCII character."""
    return "".join(chr(0x21 + i % 94) for i in range(length))


def test_the_longest_key_the_guide_allows_places_one_order_through_orders(
    bffs: Wiring, upstreams: Upstreams, catalog_items: dict[str, str]
) -> None:
    # The longest partner id Terraform admits (63 characters) and the longest key the guide allows.
    longest_id = f"p{uuid.uuid4().hex}".ljust(63, "x")
    api, me = bffs.clients["partner"], partner(longest_id, **{"Idempotency-Key": visible_key(128)})
    body = order_body(catalog_items["coffee"])

    first = api.post("/v1/orders", json=body, headers=me)
    again = api.post("/v1/orders", json=body, headers=me)

    assert first.status_code == 201, first.text
    assert again.json()["order_id"] == first.json()["order_id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert api.get(first.headers["location"], headers=me).status_code == 200


@pytest.mark.parametrize("length", [129, 242, 243, 255, 256])
def test_a_key_longer_than_the_guide_allows_is_refused_at_the_edge(
    bffs: Wiring, upstreams: Upstreams, catalog_items: dict[str, str], length: int
) -> None:
    api = bffs.clients["partner"]
    me = partner(new_partner(), **{"Idempotency-Key": visible_key(length)})
    orders_calls = upstreams.calls.get("orders", 0)

    refused = api.post("/v1/orders", json=order_body(catalog_items["coffee"]), headers=me)

    assert refused.status_code == 422
    assert refused.headers["content-type"] == MEDIA_TYPE
    assert [error["loc"] for error in refused.json()["errors"]] == [["header", "Idempotency-Key"]]
    assert "128" in refused.json()["errors"][0]["msg"]
    assert upstreams.calls.get("orders", 0) == orders_calls


def test_the_guide_and_the_openapi_state_the_one_key_limit() -> None:
    spec = partner_app.openapi()["paths"]["/v1/orders"]["post"]["parameters"]
    (key,) = [p for p in spec if p["name"] == "Idempotency-Key"]
    schemas = key["schema"].get("anyOf", [key["schema"]])
    assert [s["pattern"] for s in schemas if "pattern" in s] == [IDEMPOTENCY_KEY_PATTERN]
    guide = (Path(__file__).parents[2] / "docs" / "partners.md").read_text()
    assert "1 to 128 visible ASCII characters" in guide


@pytest.mark.parametrize("domain", ["partners.test", "partners.localhost", "example"])
def test_a_partner_address_domain_orders_would_refuse_fails_the_settings(domain: str) -> None:
    with pytest.raises(ValidationError, match="PARTNER_EMAIL_DOMAIN"):
        PartnerSettings(table_name="t", partner_email_domain=domain)
    assert PartnerSettings(table_name="t").partner_email_domain == "partners.foyer.example"


def test_eight_concurrent_duplicates_place_exactly_one_order(
    bffs: Wiring, catalog_items: dict[str, str]
) -> None:
    me = partner(new_partner(), **{"Idempotency-Key": str(uuid.uuid4())})

    async def race() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=partner_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://partner") as client:
            calls = [
                client.post("/v1/orders", json=order_body(catalog_items["coffee"]), headers=me)
                for _ in range(8)
            ]
            return await asyncio.gather(*calls)

    answers = asyncio.run(race())
    assert {a.status_code for a in answers} <= {201, 409}, [a.status_code for a in answers]
    created = {a.json()["order_id"] for a in answers if a.status_code == 201}
    assert len(created) == 1
    for busy in (a for a in answers if a.status_code == 409):
        assert busy.headers["retry-after"]
    retried = bffs.clients["partner"].post("/v1/orders", json=order_body(catalog_items["coffee"]), headers=me)
    assert retried.json()["order_id"] in created
    listed = bffs.clients["partner"].get("/v1/orders", headers=me).json()["items"]
    assert len(listed) == 1


def test_a_partner_sees_only_its_own_orders(bffs: Wiring, catalog_items: dict[str, str]) -> None:
    api, owner, other = bffs.clients["partner"], partner(new_partner()), partner(new_partner())
    order_id = api.post(
        "/v1/orders", json=order_body(catalog_items["coffee"]), headers=owner | {"Idempotency-Key": "a"}
    ).json()["order_id"]
    refused = api.get(f"/v1/orders/{order_id}", headers=other)
    assert refused.status_code == 404
    assert refused.json()["type"] == "urn:foyer:problem:order-not-found"
    assert api.get("/v1/orders", headers=other).json()["items"] == []
    # A web customer whose id is the partner's never sees the partner's orders either.
    web_user = {"x-test-user": owner[PARTNER_HEADER]}
    assert bffs.clients["web"].get(f"/me/orders/{order_id}", headers=web_user).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/products"),
        ("GET", "/v1/products/COF-001"),
        ("GET", "/v1/availability?skus=COF-001"),
        ("POST", "/v1/orders"),
        ("GET", "/v1/orders"),
        ("GET", "/v1/orders/abc"),
    ],
)
def test_no_api_key_is_403(bffs: Wiring, method: str, path: str) -> None:
    answer = bffs.clients["partner"].request(
        method, path, json=order_body("COF-001"), headers={"Idempotency-Key": "k"}
    )
    assert answer.status_code == 403
    assert answer.headers["content-type"] == MEDIA_TYPE


def test_bad_sku_lists_are_refused_as_the_openapi_states(bffs: Wiring) -> None:
    api, me = bffs.clients["partner"], partner(new_partner())
    schema = api.get("/openapi.json").json()["paths"]["/v1/availability"]["get"]["parameters"][0]["schema"]
    hundred = ",".join(f"SKU-{i:03}" for i in range(100))
    assert re.fullmatch(schema["pattern"], hundred)
    assert len(hundred) <= schema["maxLength"]
    for skus in ("lower-case", "COF-001,,TEA-002", "COF-001, TEA-002", f"{hundred},SKU-100"):
        assert not re.fullmatch(schema["pattern"], skus), skus
        answer = api.get("/v1/availability", params={"skus": skus}, headers=me)
        assert answer.status_code == 422, skus
        assert answer.json()["errors"][0]["loc"] == ["query", "skus"]


def test_a_down_dependency_is_503_a_slow_one_504_and_the_breaker_opens_then_closes(
    stack: Any, upstreams: Upstreams, catalog_items: dict[str, str]
) -> None:
    bffs = wire(stack, upstreams, budget_s=0.5, threshold=2, reset_s=0.3)
    api, me = bffs.clients["partner"], partner(new_partner())
    try:
        upstreams.slow("catalog", 30.0)
        slow = api.get(f"/v1/products/{catalog_items['coffee']}", headers=me)
        assert slow.status_code == 504
        assert slow.json()["type"] == "urn:foyer:problem:dependency-timeout"
        upstreams.heal("catalog")

        upstreams.down("orders")
        down = api.get("/v1/orders", headers=me)
        assert down.status_code == 503
        assert down.json()["dependency"] == "orders"
        assert down.headers["retry-after"]
        assert asyncio.run(bffs.breakers.state("orders")) == "opened"
        calls = upstreams.calls["orders"]
        assert api.get("/v1/orders", headers=me).status_code == 503
        assert upstreams.calls["orders"] == calls  # refused by the open breaker, orders never called

        upstreams.heal("orders")
        time.sleep(0.35)  # the breaker's reset time: the next call is its trial
        assert api.get("/v1/orders", headers=me).status_code == 200
        assert asyncio.run(bffs.breakers.state("orders")) == "closed"
    finally:
        for app in APPS.values():
            app.dependency_overrides.clear()


def test_the_partner_needs_no_payments_url_but_every_service_it_calls() -> None:
    # In AWS its FOYER_SERVICE_URLS holds only what it calls (terraform: the partner app's `calls`).
    urls = {name: f"https://{name}.lambda-url.eu-west-1.on.aws/" for name in CALLS}
    assert "payments" not in CALLS
    Services(urls, breakers=Breakers(), calls=CALLS)
    with pytest.raises(LookupError, match="orders"):
        Services({k: v for k, v in urls.items() if k != "orders"}, breakers=Breakers(), calls=CALLS)
