"""The mobile BFF in process over the real services: compact payloads, ETag/304, the version gate."""

from __future__ import annotations

import uuid

import pytest

from tests.bff.conftest import USER_HEADER, Upstreams, Wiring

pytestmark = pytest.mark.integration

APP = {"X-App-Version": "1.4.0"}


def test_compact_screens_and_a_checkout(bffs: Wiring, catalog_items: dict[str, str]) -> None:
    mobile, coffee = bffs.clients["mobile"], catalog_items["coffee"]
    tiles = mobile.get(f"/categories/{catalog_items['category']}/products", headers=APP).json()
    assert set(tiles["items"][0]) == {"sku", "name", "price", "image", "available"}
    screen = mobile.get(f"/products/{coffee}", headers=APP).json()
    assert screen["available"] == 5
    assert "created_at" not in screen

    me = {USER_HEADER: f"u-{uuid.uuid4().hex[:8]}", **APP}
    body = {"contact_email": "ada@example.com", "lines": [{"sku": coffee, "quantity": 3}]}
    placed = mobile.post("/checkout", json=body, headers=me | {"Idempotency-Key": str(uuid.uuid4())})
    assert placed.status_code == 201, placed.text
    row = placed.json()
    assert set(row) == {"order_id", "status", "total", "items", "created_at"}
    assert row["items"] == 3
    order = mobile.get(f"/me/orders/{row['order_id']}", headers=me).json()
    assert order["status"] == "PENDING"
    assert order["lines"] == [
        {"sku": coffee, "name": "Coffee", "quantity": 3, "line_total": {"amount": 5670, "currency": "EUR"}}
    ]
    assert (
        mobile.get(f"/me/orders/{row['order_id']}", headers={USER_HEADER: "someone-else", **APP}).status_code
        == 404
    )


def test_reads_carry_an_etag_and_an_unchanged_one_is_304(bffs: Wiring, catalog_items: dict[str, str]) -> None:
    mobile, path = bffs.clients["mobile"], f"/products/{catalog_items['coffee']}"
    first = mobile.get(path, headers=APP)
    tag = first.headers["etag"]
    unchanged = mobile.get(path, headers=APP | {"If-None-Match": tag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == tag
    assert mobile.get(path, headers=APP | {"If-None-Match": f'"other", W/{tag}'}).status_code == 304
    changed = mobile.get(path, headers=APP | {"If-None-Match": '"stale"'})
    assert changed.status_code == 200
    assert changed.headers["etag"] == tag


def test_an_app_below_the_minimum_version_is_426(bffs: Wiring) -> None:
    mobile = bffs.clients["mobile"]
    old = mobile.get("/home", headers={"X-App-Version": "0.9.12"})
    assert old.status_code == 426
    assert old.json()["type"] == "urn:foyer:problem:app-too-old"
    assert old.json()["minimum_version"] == "1.0.0"
    assert mobile.get("/home", headers={"X-App-Version": "1.10.0"}).status_code == 200  # numbers, not text
    assert mobile.get("/home").status_code == 422
    assert mobile.get("/home", headers={"X-App-Version": "one"}).status_code == 422


def test_a_down_inventory_degrades_the_screen(
    bffs: Wiring, upstreams: Upstreams, catalog_items: dict[str, str]
) -> None:
    upstreams.down("inventory")
    screen = bffs.clients["mobile"].get(f"/products/{catalog_items['coffee']}", headers=APP).json()
    assert screen["available"] is None
    assert screen["degraded"] == ["availability"]
