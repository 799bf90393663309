"""foyer.middleware: the correlation id, the body limit and unique JSON keys, as pure ASGI middlewares."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Body, FastAPI, Request
from fastapi.testclient import TestClient

from foyer import correlation
from foyer.app import create_app
from foyer.errors import MEDIA_TYPE
from foyer.middleware import BodyLimit, CorrelationId, repeated_key

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

    @router.api_route("/document", methods=["POST", "PATCH"])
    async def document(payload: Annotated[Any, Body()]) -> Any:
        return payload

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


@pytest.mark.parametrize("offered", [False, True])
def test_the_id_is_echoed_by_send_unless_the_server_offers_its_slot(offered: bool) -> None:
    import asyncio

    from foyer import correlation

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "headers": [(b"x-correlation-id", b"c-1")],
    }
    if offered:
        scope[correlation.SCOPE_SLOT] = None

    async def answer(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    asyncio.run(CorrelationId(answer)(scope, None, send))  # type: ignore[arg-type]
    echoed = [value for key, value in sent[0]["headers"] if key == b"x-correlation-id"]
    if offered:
        assert (scope[correlation.SCOPE_SLOT], echoed) == ("c-1", [])
    else:
        assert echoed == [b"c-1"]


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
        "/document", content=body, headers={"content-type": "application/json", "x-correlation-id": "dup-1"}
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
        "/document",
        content=iter([body[:10], body[10:30], body[30:]]),
        headers={"content-type": "application/merge-patch+json; charset=utf-8"},
    )
    assert response.status_code == 400
    assert response.json()["key"] == "name"


def test_a_long_repeated_key_is_shortened_in_the_answer(client: TestClient) -> None:
    key = "k" * 300
    response = client.post(
        "/document", content=f'{{"{key}": 1, "{key}": 2}}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert len(response.json()["key"]) < 100


def test_a_body_without_repeats_reaches_the_route_unchanged(client: TestClient) -> None:
    body = "{" + ITEM + "}"
    chunks = [body[:7].encode(), body[7:].encode()]
    response = client.post("/document", content=iter(chunks), headers={"content-type": "application/json"})
    assert response.status_code == 200
    assert response.json() == {"name": "tea", "price": {"amount": 450, "currency": "EUR"}}


@pytest.mark.parametrize(
    ("body", "key"),
    [
        (b'{"a": {"b": 1}, "c": {"b": 2}}', None),  # the same key in two objects is no repeat
        (b'{"a": 1, "A": 2}', None),
        (b'{"a": 1, "\\u0061": 2}', "a"),  # an escaped spelling is the same key
        (b"not json", None),
    ],
)
def test_repeated_key(body: bytes, key: str | None) -> None:
    assert repeated_key(body) == key


@pytest.mark.parametrize("body", ['{"name": ', "[" * 1020])  # 1,020 levels: json's RecursionError
def test_a_body_that_is_not_json_is_still_answered_by_the_app(client: TestClient, body: str) -> None:
    response = client.post("/document", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"] == MEDIA_TYPE
    assert "key" not in response.json()


def test_a_non_json_body_is_not_inspected(client: TestClient) -> None:
    response = client.post("/json", content='{"a": 1, "a": 2}', headers={"content-type": "text/plain"})
    assert response.status_code == 422  # the app refuses the media type; the keys are not looked at
    assert "key" not in response.json()


SINGLETONS = ["Authorization", "x-api-key", "Idempotency-Key", "Host", "Content-Length"]


@pytest.mark.parametrize("name", SINGLETONS)
def test_a_repeated_singleton_header_in_a_lambda_event_is_a_400_problem(name: str) -> None:
    """Behind API Gateway the repeats arrive in `multiValueHeaders`; the app refuses them itself."""
    from devtools.devstack.apigateway import rest_event
    from foyer.app import create_app
    from foyer.lambda_glue import make_handler

    handler = make_handler(create_app("probe", title="probe"))
    try:
        value = "0" if name == "Content-Length" else "a"
        event = rest_event("GET", "/health", multi_headers=[(name, value), (name, value)])
        event["multiValueHeaders"][name] = [value, value]
        answer = handler(event, None)
        body = json.loads(answer["body"])
        assert (answer["statusCode"], body["status"]) == (400, 400)
        assert body["header"] == name.lower()
        assert event["requestContext"]["requestId"] == body["correlation_id"]
        single = rest_event("GET", "/health", headers={name: value} if name != "Host" else {})
        assert handler(single, None)["statusCode"] == 200
    finally:
        handler.shutdown()
