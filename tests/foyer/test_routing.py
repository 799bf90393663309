"""foyer.routing: a 405 allows every method the path serves, not only the first route's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from foyer.app import create_app
from foyer.errors import MEDIA_TYPE


def build_app() -> FastAPI:
    # GET and PATCH of one path declared as two routes, and in two routers: Starlette's 405 named
    # only the first route it found.
    reads, writes = APIRouter(), APIRouter()

    @reads.get("/items")
    async def list_items() -> list[str]:
        return []

    @reads.get("/items/{name}")
    async def get_item(name: str) -> str:
        return name

    @writes.post("/items")
    async def create_item() -> None:
        return None

    @writes.patch("/items/{name}")
    async def patch_item(name: str) -> None:
        return None

    @writes.delete("/items/{name}/price")
    async def delete_price(name: str) -> None:
        return None

    return create_app("routingtest", title="routing", routers=[reads, writes])


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(build_app()) as test_client:
        yield test_client


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
