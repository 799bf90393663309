"""foyer.app.create_app: what every Foyer app is built with."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from opentelemetry import trace

from foyer.app import create_app
from foyer.errors import MEDIA_TYPE


def build_app() -> FastAPI:
    router = APIRouter()

    @router.get("/items")
    async def list_items() -> list[str]:
        return []

    @router.post("/items")
    async def create_item(item: dict[str, str]) -> dict[str, str]:
        return item

    @router.get("/items/{name}")
    async def get_item(name: str) -> str:
        return name

    return create_app("apptest", title="app", routers=[router])


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(build_app()) as test_client:
        yield test_client


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


def test_the_paths_without_a_slash_still_answer(client: TestClient) -> None:
    assert client.get("/items").status_code == 200
    assert client.get("/items/x").json() == "x"


def test_fastapis_native_opentelemetry_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Foyer observes through logs, EMF and X-Ray; FastAPI's own OTel checks cost every request."""
    # A configured provider is what switches FastAPI's native telemetry on for a plain app.
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: trace.NoOpTracerProvider())
    assert FastAPI()._native_telemetry.enabled()
    assert not create_app("probe", title="probe")._native_telemetry.enabled()
    assert create_app("probe", title="probe", telemetry={"tracing": True})._native_telemetry.enabled()


def test_health_answers_head_as_uptime_checks_send_it(client: TestClient) -> None:
    head = client.head("/health")
    assert head.status_code == 200
    assert head.content == b""
    assert "/health" in client.get("/openapi.json").json()["paths"]
    assert "head" not in client.get("/openapi.json").json()["paths"]["/health"]
