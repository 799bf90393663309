"""foyer.errors: every error leaves as RFC 9457 problem+json, never with a stack trace."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.testclient import TestClient
from pydantic import BaseModel

from foyer import correlation
from foyer.app import create_app
from foyer.errors import (
    MEDIA_TYPE,
    BadRequest,
    Conflict,
    NotFound,
    PayloadTooLarge,
    Problem,
    Unprocessable,
    problem_response,
    was_reported,
)


class Order(BaseModel):
    sku: str
    quantity: int


class OutOfStock(Conflict):
    type = "https://foyer.example/problems/out-of-stock"


def build_app() -> FastAPI:
    router = APIRouter()

    @router.get("/problem/{kind}")
    async def problem(kind: str) -> None:
        kinds: dict[str, type[Problem]] = {
            "bad": BadRequest,
            "missing": NotFound,
            "conflict": Conflict,
            "large": PayloadTooLarge,
            "invalid": Unprocessable,
        }
        raise kinds[kind](f"{kind} happened")

    @router.get("/stock")
    async def stock() -> None:
        raise OutOfStock("Only 2 left.", title="Out of stock", available=2)

    @router.get("/http")
    async def http() -> None:
        raise HTTPException(status_code=418, detail="short and stout", headers={"Retry-After": "5"})

    @router.get("/http-dict")
    async def http_dict() -> None:
        raise HTTPException(status_code=409, detail={"internal": "structure"})

    @router.post("/orders")
    async def orders(order: Order) -> Order:
        return order

    @router.get("/crash")
    async def crash() -> None:
        raise ValueError("connection string postgres://admin:secret@db")

    return create_app("errtest", title="errors", routers=[router])


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(build_app(), raise_server_exceptions=False) as test_client:
        yield test_client


def assert_problem(response: object, status: int) -> dict[str, object]:
    from httpx import Response

    assert isinstance(response, Response)
    assert response.status_code == status
    assert response.headers["content-type"] == MEDIA_TYPE
    body = response.json()
    assert isinstance(body, dict)
    assert body["status"] == status
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["correlation_id"] == response.headers[correlation.HEADER]
    return body


@pytest.mark.parametrize(
    ("kind", "status", "title"),
    [
        ("bad", 400, "Bad Request"),
        ("missing", 404, "Not Found"),
        ("conflict", 409, "Conflict"),
        ("large", 413, None),
        ("invalid", 422, None),
    ],
)
def test_each_problem_class_has_its_status(
    client: TestClient, kind: str, status: int, title: str | None
) -> None:
    body = assert_problem(client.get(f"/problem/{kind}"), status)
    assert body["detail"] == f"{kind} happened"
    assert body["type"] == "about:blank"
    if title:
        assert body["title"] == title


def test_a_problem_carries_its_type_title_and_extensions(client: TestClient) -> None:
    body = assert_problem(client.get("/stock", headers={"x-correlation-id": "c-1"}), 409)
    assert body == {
        "type": "https://foyer.example/problems/out-of-stock",
        "title": "Out of stock",
        "status": 409,
        "detail": "Only 2 left.",
        "available": 2,
        "correlation_id": "c-1",
    }


def test_http_exceptions_become_problems_and_keep_their_headers(client: TestClient) -> None:
    response = client.get("/http")
    body = assert_problem(response, 418)
    assert body["detail"] == "short and stout"
    assert response.headers["retry-after"] == "5"


def test_a_structured_http_detail_is_not_echoed(client: TestClient) -> None:
    body = assert_problem(client.get("/http-dict"), 409)
    assert "internal" not in json.dumps(body)


def test_an_unknown_route_and_a_wrong_method_are_problems(client: TestClient) -> None:
    assert_problem(client.get("/nope"), 404)
    assert_problem(client.delete("/stock"), 405)


def test_validation_errors_list_fields_without_echoing_input(client: TestClient) -> None:
    body = assert_problem(client.post("/orders", json={"sku": "s-1", "quantity": "secret-value"}), 422)
    assert body["errors"] == [
        {"loc": ["body", "quantity"], "msg": body["errors"][0]["msg"], "type": "int_parsing"}  # type: ignore[index]
    ]
    assert "secret-value" not in json.dumps(body)


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post("/orders", content=b'{"sku": ', headers={"content-type": "application/json"})
    body = assert_problem(response, 400)
    assert body["detail"] == "The request body is not valid JSON."


def test_an_unexpected_error_is_500_without_details(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    response = client.get("/crash", headers={"x-correlation-id": "crash-1"})
    body = assert_problem(response, 500)
    assert body["correlation_id"] == "crash-1"
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert "ValueError" not in response.text
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert [m["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"] for m in emf] == ["UnhandledErrors"]


def test_problem_response_without_a_correlation_id() -> None:
    # Outside a request (no middleware ran) there is no id to add.
    token_free = problem_response(404, "gone", type_="https://foyer.example/problems/gone")
    assert token_free.media_type == MEDIA_TYPE
    assert json.loads(bytes(token_free.body)) == {
        "type": "https://foyer.example/problems/gone",
        "title": "Not Found",
        "status": 404,
        "detail": "gone",
    }
    assert correlation.HEADER not in token_free.headers


def test_was_reported_only_for_errors_the_handler_logged() -> None:
    assert not was_reported(ValueError("x"))
