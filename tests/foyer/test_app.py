"""foyer.app.create_app: what every app answers whatever its routes (redirects, 405s, JSON bodies)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from foyer.app import create_app
from foyer.errors import MEDIA_TYPE


class Price(BaseModel):
    amount: int
    currency: str


class Item(BaseModel):
    name: str
    price: Price


def build_app() -> FastAPI:
    router = APIRouter()

    @router.get("/items")
    async def list_items() -> list[Item]:
        return []

    @router.post("/items")
    async def create_item(item: Item) -> Item:
        return item

    @router.get("/items/{name}")
    async def get_item(name: str) -> Item:
        return Item(name=name, price=Price(amount=1, currency="EUR"))

    @router.patch("/items/{name}")
    async def patch_item(name: str, item: Item) -> Item:
        return item

    @router.delete("/items/{name}/price")
    async def delete_price(name: str) -> None:
        return None

    return create_app("apptest", title="app", routers=[router])


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(build_app()) as test_client:
        yield test_client


# Open redirect through Host.
@pytest.mark.parametrize("path", ["/items/", "/items/x/", "/health/"])
def test_a_trailing_slash_is_not_redirected_to_the_callers_host(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
    assert "location" not in response.headers
    assert response.status_code == 404
    assert response.headers["content-type"] == MEDIA_TYPE


def test_a_post_with_a_trailing_slash_is_not_redirected(client: TestClient) -> None:
    # A 307 keeps method and body: a redirect would replay the body at the Location.
    response = client.post("/items/", json={}, headers={"Host": "evil.example"}, follow_redirects=False)
    assert response.status_code == 404
    assert "location" not in response.headers


# 405 and Allow.
@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/items/x", "GET, PATCH"),
        ("PUT", "/items", "GET, POST"),
        ("GET", "/items/x/price", "DELETE"),
    ],
)
def test_405_allows_every_method_the_path_serves(
    client: TestClient, method: str, path: str, allow: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["content-type"] == MEDIA_TYPE
    assert response.headers["allow"] == allow


def test_405_keeps_the_stage_prefix_out_of_matching(client: TestClient) -> None:
    # Behind API Gateway the stage is the root_path; the path still matches the routes.
    app = client.app
    with TestClient(app, root_path="/dev") as staged:
        response = staged.delete("/dev/items/x")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PATCH"


# Duplicate JSON keys.
ITEM = '"name": "tea", "price": {"amount": 450, "currency": "EUR"}'


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('{"name": "coffee", ' + ITEM + "}", "name"),
        ('{"name": "tea", "price": {"amount": 1, "amount": 450, "currency": "EUR"}}', "amount"),
        ('[{"a": 1}, {"b": 1, "b": 2}]', "b"),
    ],
)
def test_a_body_that_repeats_a_key_is_a_400_naming_it(client: TestClient, body: str, key: str) -> None:
    response = client.post(
        "/items", content=body, headers={"content-type": "application/json", "x-correlation-id": "dup-1"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == MEDIA_TYPE
    problem = response.json()
    assert problem["key"] == key
    assert repr(key) in problem["detail"]
    assert problem["correlation_id"] == "dup-1"


def test_a_repeated_key_is_refused_in_any_json_media_type_and_in_chunks(client: TestClient) -> None:
    body = b'{"name": "a", "name": "b", "price": {"amount": 1, "currency": "EUR"}}'
    response = client.patch(
        "/items/x",
        content=iter([body[:10], body[10:30], body[30:]]),
        headers={"content-type": "application/merge-patch+json; charset=utf-8"},
    )
    assert response.status_code == 400
    assert response.json()["key"] == "name"


def test_a_long_repeated_key_is_shortened_in_the_answer(client: TestClient) -> None:
    key = "k" * 5000
    response = client.post(
        "/items", content=f'{{"{key}": 1, "{key}": 2}}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert len(response.json()["key"]) < 100


def test_a_body_without_repeats_reaches_the_route_unchanged(client: TestClient) -> None:
    body = "{" + ITEM + "}"
    chunks = [body[:7].encode(), body[7:].encode()]
    response = client.post("/items", content=iter(chunks), headers={"content-type": "application/json"})
    assert response.status_code == 200
    assert response.json() == {"name": "tea", "price": {"amount": 450, "currency": "EUR"}}


@pytest.mark.parametrize("body", ['{"name": ', "[" * 5000])
def test_a_body_that_is_not_json_is_still_answered_by_the_app(client: TestClient, body: str) -> None:
    response = client.post("/items", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"] == MEDIA_TYPE
    assert "key" not in response.json()


def test_a_non_json_body_is_not_inspected(client: TestClient) -> None:
    response = client.post("/items", content='{"a": 1, "a": 2}', headers={"content-type": "text/plain"})
    assert response.status_code == 422  # the app refuses the media type; the keys are not looked at
    assert "key" not in response.json()
