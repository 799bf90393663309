"""The catalog through its real app and its real Lambda handler, against the AWS emulator."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from foyer.errors import MEDIA_TYPE
from services.catalog.app import app
from services.catalog.handler import handler

pytestmark = pytest.mark.integration


@pytest.fixture
def client(services_stack: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def new_sku(prefix: str = "T") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12].upper()}"


def new_category() -> str:
    return f"cat-{uuid.uuid4().hex[:12]}"


def product(sku: str | None = None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sku": sku or new_sku(),
        "name": "Espresso Blend 500g",
        "description": "Dark and sweet.",
        "price": {"amount": 1890, "currency": "EUR"},
        "category": "coffee",
        "image_urls": ["https://images.example.com/cof-003.jpg"],
    }
    body.update(overrides)
    return body


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(MEDIA_TYPE)
    body: dict[str, Any] = json.loads(response.text)
    assert body["status"] == status
    assert {"type", "title", "detail"} <= set(body)
    return body


# Create and read.
def test_create_then_get(client: TestClient) -> None:
    body = product()
    created = client.post("/products", json=body)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"/products/{body['sku']}"
    assert created.headers["etag"] == '"1"'
    data = created.json()
    assert {k: data[k] for k in body} == body
    assert data["version"] == 1
    assert data["created_at"] == data["updated_at"]
    assert data["created_at"].endswith("Z")

    fetched = client.get(created.headers["location"])
    assert fetched.status_code == 200
    assert fetched.json() == data
    assert fetched.headers["etag"] == '"1"'


def test_create_an_existing_sku_is_a_conflict_and_keeps_the_first(client: TestClient) -> None:
    body = product()
    assert client.post("/products", json=body).status_code == 201
    again = client.post("/products", json={**body, "name": "Impostor"})
    problem = assert_problem(again, 409)
    assert problem["sku"] == body["sku"]
    assert client.get(f"/products/{body['sku']}").json()["name"] == body["name"]


def test_unknown_product_is_a_404_problem(client: TestClient) -> None:
    assert_problem(client.get(f"/products/{new_sku()}"), 404)


@pytest.mark.parametrize("sku", ["ab", "lower-case", "-LEADING", "X" * 41])
def test_malformed_sku_in_the_path_is_a_422(client: TestClient, sku: str) -> None:
    assert_problem(client.get(f"/products/{sku}"), 422)


# Listing.
def walk(client: TestClient, params: dict[str, Any]) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while True:
        response = client.get("/products", params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append([p["sku"] for p in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 1000


def test_list_a_category_page_by_page(client: TestClient) -> None:
    category = new_category()
    skus = sorted(new_sku() for _ in range(5))
    for sku in skus:
        assert client.post("/products", json=product(sku, category=category)).status_code == 201
    client.post("/products", json=product(category=new_category()))  # another category

    pages = walk(client, {"category": category, "limit": 2})
    assert pages == [skus[0:2], skus[2:4], skus[4:5]]  # by sku; no empty page at the end

    exact = walk(client, {"category": category, "limit": 5})
    assert exact == [skus]

    everything = client.get("/products", params={"category": category}).json()
    assert [p["sku"] for p in everything["items"]] == skus
    assert everything["next_cursor"] is None
    assert all(p["category"] == category for p in everything["items"])


def test_list_an_empty_category(client: TestClient) -> None:
    assert client.get("/products", params={"category": new_category()}).json() == {
        "items": [],
        "next_cursor": None,
    }


def test_list_everything_with_a_scan_visits_each_product_once(client: TestClient) -> None:
    mine = {new_sku("SCAN") for _ in range(4)}
    for sku in mine:
        assert client.post("/products", json=product(sku, category=new_category())).status_code == 201
    pages = walk(client, {"limit": 3})
    seen = [sku for page in pages for sku in page]
    assert len(seen) == len(set(seen))
    assert mine <= set(seen)
    assert all(1 <= len(page) <= 3 for page in pages)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "ten"},
        {"category": "Not A Slug"},
    ],
)
def test_bad_list_parameters_are_422(client: TestClient, params: dict[str, Any]) -> None:
    assert_problem(client.get("/products", params=params), 422)


def test_forged_or_foreign_cursors_are_400(client: TestClient) -> None:
    category = new_category()
    for _ in range(2):
        client.post("/products", json=product(category=category))
    cursor = client.get("/products", params={"category": category, "limit": 1}).json()["next_cursor"]
    assert cursor
    assert_problem(client.get("/products", params={"cursor": "not-a-cursor!"}), 400)
    # A category listing's cursor does not continue a scan, nor another category.
    assert_problem(client.get("/products", params={"cursor": cursor}), 400)
    assert_problem(client.get("/products", params={"category": new_category(), "cursor": cursor}), 400)
    assert client.get("/products", params={"category": category, "cursor": cursor}).status_code == 200


# Partial updates.
def test_patch_changes_only_the_fields_sent_and_bumps_the_version(client: TestClient) -> None:
    body = product()
    created = client.post("/products", json=body).json()
    patched = client.patch(
        f"/products/{body['sku']}", json={"name": "Renamed", "price": {"amount": 999, "currency": "USD"}}
    )
    assert patched.status_code == 200, patched.text
    data = patched.json()
    assert data["name"] == "Renamed"
    assert data["price"] == {"amount": 999, "currency": "USD"}
    assert data["description"] == body["description"]
    assert data["image_urls"] == body["image_urls"]
    assert data["version"] == 2
    assert data["created_at"] == created["created_at"]
    assert data["updated_at"] > created["updated_at"]
    assert patched.headers["etag"] == '"2"'
    assert client.get(f"/products/{body['sku']}").json() == data


def test_patch_with_the_current_version_succeeds_and_a_stale_one_is_412(client: TestClient) -> None:
    body = product()
    client.post("/products", json=body)
    url = f"/products/{body['sku']}"
    first = client.patch(url, json={"name": "One"}, headers={"If-Match": '"1"'})
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 2

    stale = client.patch(url, json={"name": "Two"}, headers={"If-Match": '"1"'})
    problem = assert_problem(stale, 412)
    assert problem["current_version"] == 2
    current = client.get(url).json()
    assert (current["name"], current["version"]) == ("One", 2)

    assert client.patch(url, json={"name": "Three"}, headers={"If-Match": "*"}).json()["version"] == 3
    assert_problem(client.patch(url, json={"name": "Four"}, headers={"If-Match": "yesterday"}), 400)


def test_patch_moves_a_product_between_categories(client: TestClient) -> None:
    old, new = new_category(), new_category()
    body = product(category=old)
    client.post("/products", json=body)
    assert client.patch(f"/products/{body['sku']}", json={"category": new}).status_code == 200
    assert client.get("/products", params={"category": old}).json()["items"] == []
    assert [p["sku"] for p in client.get("/products", params={"category": new}).json()["items"]] == [
        body["sku"]
    ]


def test_patch_of_an_unknown_product_is_404_and_creates_nothing(client: TestClient) -> None:
    sku = new_sku()
    missing = assert_problem(client.patch(f"/products/{sku}", json={"name": "Ghost"}), 404)
    assert missing["type"] == "urn:foyer:problem:product-not-found"
    assert_problem(client.get(f"/products/{sku}"), 404)


@pytest.mark.parametrize("if_match", ['"1"', "*", 'W/"1"'])
def test_a_precondition_on_an_unknown_product_fails_with_412(client: TestClient, if_match: str) -> None:
    # RFC 9110 13.1.1: If-Match is false when there is no current representation.
    sku = new_sku()
    problem = assert_problem(
        client.patch(f"/products/{sku}", json={"name": "Ghost"}, headers={"If-Match": if_match}), 412
    )
    assert problem["type"] == "urn:foyer:problem:precondition-failed"
    assert "current_version" not in problem
    assert_problem(client.get(f"/products/{sku}"), 404)


def test_a_weak_if_match_never_matches(client: TestClient) -> None:
    # RFC 9110 13.1.1: If-Match uses the strong comparison; W/"1" names no version strongly.
    body = product()
    client.post("/products", json=body)
    url = f"/products/{body['sku']}"
    problem = assert_problem(client.patch(url, json={"name": "Weak"}, headers={"If-Match": 'W/"1"'}), 412)
    assert problem["current_version"] == 1
    assert client.get(url).json()["name"] == body["name"]
    either = client.patch(url, json={"name": "Listed"}, headers={"If-Match": 'W/"1", "7", "1"'})
    assert either.status_code == 200, either.text
    assert either.json()["version"] == 2


@pytest.mark.parametrize(
    "patch",
    [
        {},
        {"sku": "OTHER-SKU"},
        {"colour": "red"},
        {"name": None},
        {"price": {"amount": -1, "currency": "EUR"}},
        {"price": {"amount": 0, "currency": "EUR"}},
        {"price": {"amount": 1.5, "currency": "EUR"}},
        {"price": {"amount": 1, "currency": "eur"}},
        {"price": {"amount": 1, "currency": "ZZZ"}},
        {"image_urls": ["http://insecure.example.com/a.jpg"]},
        {"image_urls": ["https://localhost/a.jpg"]},
        {"name": "\u200b\u200b"},
    ],
)
def test_invalid_patches_are_422_and_change_nothing(client: TestClient, patch: dict[str, Any]) -> None:
    body = product()
    before = client.post("/products", json=body).json()
    assert_problem(client.patch(f"/products/{body['sku']}", json=patch), 422)
    assert client.get(f"/products/{body['sku']}").json() == before


# Bad input on create: every refusal is problem+json and writes nothing.
@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"price": {"amount": -100, "currency": "EUR"}}, 422),
        ({"price": {"amount": 0, "currency": "JPY"}}, 422),
        ({"price": {"amount": 18.9, "currency": "EUR"}}, 422),
        ({"price": {"amount": True, "currency": "EUR"}}, 422),
        ({"price": {"amount": 100, "currency": "euro"}}, 422),
        ({"colour": "red"}, 422),
        ({"version": 9}, 422),
        ({"category": "Hot Drinks"}, 422),
        ({"image_urls": ["ftp://example.com/x.jpg"]}, 422),
        ({"image_urls": ["https://cdn.example.com/a.jpg", "https://cdn.example.com/a.jpg"]}, 422),
        ({"image_urls": ["https://cdn:0/a.jpg"]}, 422),
        ({"name": "\x00\x00"}, 422),
        ({"name": "\x1b[31mred"}, 422),
        ({"name": "\u202eevil"}, 422),
        ({"price": {"amount": 100, "currency": "ZZZ"}}, 422),
    ],
)
def test_invalid_products_are_refused(client: TestClient, overrides: dict[str, Any], status: int) -> None:
    body = product(**overrides)
    assert_problem(client.post("/products", json=body), status)
    assert_problem(client.get(f"/products/{body['sku']}"), 404)


def test_malformed_json_is_400(client: TestClient) -> None:
    sku = new_sku()
    response = client.post(
        "/products", content=f'{{"sku": "{sku}", "name": ', headers={"content-type": "application/json"}
    )
    assert_problem(response, 400)
    assert_problem(client.get(f"/products/{sku}"), 404)


def test_oversized_body_is_413(client: TestClient) -> None:
    body = product(description="x" * (70 * 1024))
    assert_problem(client.post("/products", json=body), 413)
    assert_problem(client.get(f"/products/{body['sku']}"), 404)


# The real Lambda handler, fed API Gateway REST (v1) proxy events of stage "dev".
@pytest.mark.parametrize("stage_in_path", [False, True], ids=["execute-api-path", "stage-prefixed-path"])
def test_lambda_handler_serves_the_api(services_stack: Any, lambda_events: Any, stage_in_path: bool) -> None:
    ev, invoke = lambda_events.rest_event, lambda_events.invoke
    category = new_category()
    body = product(category=category)

    created = invoke(handler, ev("POST", "/products", body=body, stage_in_path=stage_in_path))
    assert created.status == 201, created.body
    assert created.headers["location"] == f"/dev/products/{body['sku']}"  # the stage the client used
    assert created.headers["content-type"] == "application/json"
    assert created.headers["x-correlation-id"]

    fetched = invoke(handler, ev("GET", f"/products/{body['sku']}", stage_in_path=stage_in_path))
    assert fetched.status == 200
    assert fetched.json() == created.json()

    listed = invoke(
        handler,
        ev("GET", "/products", query={"category": [category], "limit": ["5"]}, stage_in_path=stage_in_path),
    )
    assert listed.status == 200
    assert [p["sku"] for p in listed.json()["items"]] == [body["sku"]]

    patched = invoke(
        handler,
        ev(
            "PATCH",
            f"/products/{body['sku']}",
            body={"name": "Via Lambda"},
            headers={"If-Match": '"1"'},
            stage_in_path=stage_in_path,
        ),
    )
    assert patched.status == 200, patched.body
    assert patched.json()["version"] == 2

    missing = invoke(handler, ev("GET", f"/products/{new_sku()}", stage_in_path=stage_in_path))
    assert missing.status == 404
    assert missing.headers["content-type"] == MEDIA_TYPE
    assert missing.json()["status"] == 404

    health = invoke(handler, ev("GET", "/health", stage_in_path=stage_in_path))
    assert health.json() == {"status": "ok", "service": "catalog"}


def test_lambda_handler_refuses_bad_input_as_problems(services_stack: Any, lambda_events: Any) -> None:
    ev, invoke = lambda_events.rest_event, lambda_events.invoke
    sku = new_sku()
    cases = [
        (ev("POST", "/products", raw_body='{"sku": "' + sku + '", ', stage_in_path=True), 400),
        (ev("POST", "/products", body=product(sku, extra=1)), 422),
        (ev("POST", "/products", body=product(sku, price={"amount": -1, "currency": "EUR"})), 422),
        (ev("POST", "/products", body=product(sku, description="x" * (65 * 1024))), 413),
        (ev("GET", "/products/not-a-sku"), 422),
    ]
    for event, status in cases:
        response = invoke(handler, event)
        assert response.status == status, response.body
        assert response.headers["content-type"] == MEDIA_TYPE
        assert response.json()["status"] == status
    assert invoke(handler, ev("GET", f"/products/{sku}")).status == 404
