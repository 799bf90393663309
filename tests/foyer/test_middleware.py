"""foyer.middleware: the correlation id and the body limit, as pure ASGI middlewares."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.testclient import TestClient

from foyer import correlation
from foyer.app import create_app
from foyer.errors import MEDIA_TYPE
from foyer.middleware import BodyLimit, CorrelationId

LIMIT = 1024


def build_app() -> FastAPI:
    router = APIRouter()

    @router.get("/id")
    async def current_id() -> dict[str, str | None]:
        return {"seen_by_route": correlation.get()}

    @router.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    @router.post("/json")
    async def as_json(payload: dict[str, str]) -> dict[str, int]:
        return {"keys": len(payload)}

    return create_app("mwtest", title="middleware", routers=[router], max_body_bytes=LIMIT)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(build_app()) as test_client:
        yield test_client


def test_the_callers_id_is_adopted_and_echoed(client: TestClient) -> None:
    response = client.get("/id", headers={"X-Correlation-Id": "abc-123"})
    assert response.headers[correlation.HEADER] == "abc-123"
    assert response.json() == {"seen_by_route": "abc-123"}


def test_without_an_id_a_fresh_one_is_made_per_request(client: TestClient) -> None:
    first = client.get("/id").headers[correlation.HEADER]
    second = client.get("/id").headers[correlation.HEADER]
    assert first
    assert second
    assert first != second


@pytest.mark.parametrize("bad", ["", "x" * 129, "a b", "new\nline", "<script>"])
def test_an_unsafe_id_is_replaced(client: TestClient, bad: str) -> None:
    response = client.get("/id", headers={"X-Correlation-Id": bad})
    assert response.headers[correlation.HEADER] != bad
    assert response.json()["seen_by_route"] == response.headers[correlation.HEADER]


def test_the_id_header_is_sent_once(client: TestClient) -> None:
    response = client.get("/nope", headers={"X-Correlation-Id": "once"})
    assert response.headers.get_list(correlation.HEADER) == ["once"]


def test_a_body_within_the_limit_passes(client: TestClient) -> None:
    response = client.post("/echo", content=b"x" * LIMIT)
    assert response.status_code == 200
    assert response.json() == {"bytes": LIMIT}


def test_a_declared_oversized_body_is_413_before_the_app_reads_it(client: TestClient) -> None:
    response = client.post("/echo", content=b"x" * (LIMIT + 1), headers={"X-Correlation-Id": "big-1"})
    assert response.status_code == 413
    assert response.headers["content-type"] == MEDIA_TYPE
    assert response.headers[correlation.HEADER] == "big-1"
    body = response.json()
    assert body["status"] == 413
    assert body["correlation_id"] == "big-1"
    assert str(LIMIT) in body["detail"]


def chunks(total: int, size: int = 300) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        piece = min(size, total - sent)
        sent += piece
        yield b"x" * piece


@pytest.mark.parametrize("route", ["/echo", "/json"])
def test_a_streamed_oversized_body_is_413(client: TestClient, route: str) -> None:
    # Chunked: no Content-Length, so the limit is enforced while the body is read.
    response = client.post(route, content=chunks(LIMIT * 3), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"] == MEDIA_TYPE
    assert response.json()["status"] == 413


def test_a_413_has_one_title_whether_the_body_was_declared_or_chunked(client: TestClient) -> None:
    declared = client.post("/json", content=b"x" * (LIMIT + 1), headers={"content-type": "application/json"})
    chunked = client.post("/json", content=chunks(LIMIT * 3), headers={"content-type": "application/json"})
    assert declared.json()["title"] == chunked.json()["title"] == "Content Too Large"
    assert declared.json()["detail"] == chunked.json()["detail"]


async def _asgi_ok(scope: dict[str, object], receive: object, send: object) -> None:  # pragma: no cover
    raise AssertionError("not reached")


def test_the_middlewares_pass_other_scopes_through() -> None:
    import asyncio

    seen: list[str] = []

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        seen.append(str(scope["type"]))

    async def run() -> None:
        await CorrelationId(app)({"type": "lifespan"}, None, None)  # type: ignore[arg-type]
        await BodyLimit(app)({"type": "websocket"}, None, None)  # type: ignore[arg-type]

    asyncio.run(run())
    assert seen == ["lifespan", "websocket"]


def test_the_413_body_is_json() -> None:
    sent: list[dict[str, object]] = []

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    import asyncio

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [(b"content-length", b"11")]}
    asyncio.run(BodyLimit(_asgi_ok, max_bytes=10)(scope, receive, send))  # type: ignore[arg-type]
    start, body = sent
    assert start["status"] == 413
    payload = body["body"]
    assert isinstance(payload, bytes)
    assert json.loads(payload)["status"] == 413
