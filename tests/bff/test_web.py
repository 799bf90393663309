"""The web BFF in process over the real services: its journeys, who sees what, CORS, and degraded parts."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bff.web.app import build
from bff.web.settings import WebSettings
from foyer.errors import MEDIA_TYPE
from tests.bff.conftest import USER_HEADER, Upstreams, Wiring

pytestmark = pytest.mark.integration


def as_user(user_id: str, **headers: str) -> dict[str, str]:
    return {USER_HEADER: user_id, **headers}


def checkout(client: TestClient, user: str, sku: str, key: str | None = None) -> Any:
    headers = as_user(user) | ({"Idempotency-Key": key} if key else {})
    body = {"contact_email": "ada@example.com", "lines": [{"sku": sku, "quantity": 1}]}
    return client.post("/checkout", json=body, headers=headers)


def test_a_customer_browses_checks_out_and_follows_the_order(
    bffs: Wiring, catalog_items: dict[str, str]
) -> None:
    web = bffs.clients["web"]
    home = web.get("/home")
    assert home.status_code == 200
    assert home.json()["degraded"] == []

    listing = web.get(f"/categories/{catalog_items['category']}/products", params={"limit": 2})
    assert listing.status_code == 200
    first = listing.json()
    assert len(first["items"]) == 2
    assert first["next_cursor"]
    assert first["degraded"] == []
    rest = web.get(
        f"/categories/{catalog_items['category']}/products", params={"cursor": first["next_cursor"]}
    )
    seen = {item["sku"]: item["available"] for item in first["items"] + rest.json()["items"]}
    coffee, tea, mug = (catalog_items[r] for r in ("coffee", "tea", "mug"))
    assert seen == {coffee: 5, tea: 0, mug: 0}  # no stock recorded reads as none available

    detail = web.get(f"/products/{coffee}").json()
    assert detail["product"]["price"] == {"amount": 1890, "currency": "EUR"}
    assert detail["available"] == 5
    assert detail["degraded"] == []

    user = f"u-{uuid.uuid4().hex[:8]}"
    placed = checkout(web, user, coffee, key=str(uuid.uuid4()))
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    assert placed.headers["location"] == f"/me/orders/{order_id}"
    assert placed.json()["total"] == {"amount": 1890, "currency": "EUR"}

    mine = web.get("/me/orders", headers=as_user(user)).json()
    assert [o["order_id"] for o in mine["items"]] == [order_id]
    page = web.get(f"/me/orders/{order_id}", headers=as_user(user)).json()
    assert page["order"]["status"] == "PENDING"
    # No saga runs in process: no timeline step is projected and no payment is made yet.
    assert page["timeline"] == []
    assert page["payment"] is None
    assert page["degraded"] == []


def test_checkout_needs_an_idempotency_key_and_places_one_order_per_key(
    bffs: Wiring, catalog_items: dict[str, str]
) -> None:
    web, user, key = bffs.clients["web"], f"u-{uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    missing = checkout(web, user, catalog_items["coffee"])
    assert missing.status_code == 422
    assert missing.headers["content-type"] == MEDIA_TYPE
    first = checkout(web, user, catalog_items["coffee"], key=key)
    again = checkout(web, user, catalog_items["coffee"], key=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["order_id"] == again.json()["order_id"]
    assert len(web.get("/me/orders", headers=as_user(user)).json()["items"]) == 1


def test_someone_elses_order_is_not_found_and_not_listed(bffs: Wiring, catalog_items: dict[str, str]) -> None:
    web = bffs.clients["web"]
    owner, other = f"u-{uuid.uuid4().hex[:8]}", f"u-{uuid.uuid4().hex[:8]}"
    order_id = checkout(web, owner, catalog_items["coffee"], key=str(uuid.uuid4())).json()["order_id"]
    refused = web.get(f"/me/orders/{order_id}", headers=as_user(other))
    assert refused.status_code == 404
    assert refused.json()["type"] == "urn:foyer:problem:order-not-found"
    assert web.get("/me/orders", headers=as_user(other)).json()["items"] == []


def test_signed_out_callers_get_401_with_a_challenge(bffs: Wiring) -> None:
    for method, path in (("GET", "/me/orders"), ("GET", "/me/orders/abc"), ("POST", "/checkout")):
        answer = bffs.clients["web"].request(
            method,
            path,
            headers={"Idempotency-Key": "k"},
            json={"contact_email": "ada@example.com", "lines": [{"sku": "COF-001", "quantity": 1}]},
        )
        assert answer.status_code == 401, (method, path, answer.text)
        assert answer.headers["www-authenticate"].startswith("Bearer")


def test_cors_admits_the_configured_origins_only() -> None:
    client = TestClient(build(WebSettings(cors_origins="https://shop.example.com")))
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Idempotency-Key"}
    allowed = client.options("/checkout", headers={"Origin": "https://shop.example.com", **preflight})
    assert allowed.headers["access-control-allow-origin"] == "https://shop.example.com"
    refused = client.options("/checkout", headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in refused.headers
    simple = client.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


def test_a_down_inventory_degrades_availability_and_keeps_the_page(
    bffs: Wiring, upstreams: Upstreams, catalog_items: dict[str, str]
) -> None:
    upstreams.down("inventory")
    detail = bffs.clients["web"].get(f"/products/{catalog_items['coffee']}")
    assert detail.status_code == 200
    assert detail.json()["available"] is None
    assert detail.json()["degraded"] == ["availability"]
    listing = bffs.clients["web"].get(f"/categories/{catalog_items['category']}/products").json()
    assert listing["degraded"] == ["availability"]
    assert {i["available"] for i in listing["items"]} == {None}


def test_a_slow_service_is_cut_at_the_budget_and_its_part_degraded(
    stack: Any, upstreams: Upstreams, catalog_items: dict[str, str]
) -> None:
    from tests.bff.conftest import APPS, wire

    bffs = wire(stack, upstreams, budget_s=0.5, threshold=5, reset_s=10.0)
    try:
        upstreams.slow("payments", 30.0)  # far beyond the budget: only the deadline ends the call
        user = f"u-{uuid.uuid4().hex[:8]}"
        order_id = checkout(bffs.clients["web"], user, catalog_items["coffee"], key=str(uuid.uuid4())).json()[
            "order_id"
        ]
        page = bffs.clients["web"].get(f"/me/orders/{order_id}", headers=as_user(user))
        assert page.status_code == 200
        assert page.json()["degraded"] == ["payment"]
        assert page.json()["order"]["order_id"] == order_id
        upstreams.slow("catalog", 30.0)
        failed = bffs.clients["web"].get("/home")
        assert failed.status_code == 504
        assert failed.json()["dependency"] == "catalog"
    finally:
        for app in APPS.values():
            app.dependency_overrides.clear()
