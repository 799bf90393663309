"""foyer.idempotency.http: the Idempotency-Key dependency in a route of an app built by create_app,
its problems registered from the one table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Body, Depends, Response
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from foyer.app import create_app
from foyer.dynamodb import Table
from foyer.idempotency import IdempotencyStore, KeyReused, RequestInFlight
from foyer.idempotency.http import KEY_PATTERN, PROBLEMS, IdempotentCall, fingerprint, idempotent

pytestmark = pytest.mark.integration


def get_store() -> IdempotencyStore:
    raise NotImplementedError("the test overrides this dependency, as a service's deps.py would provide it")


Once = Annotated[IdempotentCall, Depends(idempotent(get_store))]


class Things:
    """An app with one idempotent route that counts how often it really ran."""

    def __init__(self, store: IdempotencyStore) -> None:
        self.runs: list[dict[str, Any]] = []
        router = APIRouter()

        @router.post("/things", status_code=201, responses=PROBLEMS.responses(KeyReused, RequestInFlight))
        async def create_thing(body: Annotated[dict[str, Any], Body()], once: Once) -> Response:
            if once.replay is not None:
                return once.replay
            self.runs.append(body)
            if body.get("fail"):
                raise RuntimeError("the domain failed")
            thing_id = f"t-{len(self.runs)}"
            return await once.complete(
                JSONResponse(
                    {"id": thing_id, **body}, status_code=201, headers={"Location": f"/things/{thing_id}"}
                )
            )

        self.app = create_app("things", title="Things", routers=[router], problems=PROBLEMS)
        self.app.dependency_overrides[get_store] = lambda: store
        self.client = TestClient(self.app, raise_server_exceptions=False)

    def post(self, body: dict[str, Any] | str, key: str | None = None) -> Any:
        content = body if isinstance(body, str) else json.dumps(body)
        headers = {"Content-Type": "application/json", **({"Idempotency-Key": key} if key else {})}
        return self.client.post("/things", content=content, headers=headers)


@pytest.fixture
def store(service_table: Table) -> IdempotencyStore:
    return IdempotencyStore(service_table)


@pytest.fixture
def things(store: IdempotencyStore) -> Iterator[Things]:
    app = Things(store)
    with app.client:
        yield app


def test_without_a_key_every_call_runs(things: Things) -> None:
    assert things.post({"name": "a"}).status_code == 201
    assert things.post({"name": "a"}).status_code == 201
    assert len(things.runs) == 2


def test_the_same_key_and_body_replay_the_first_answer_marked_as_a_replay(things: Things) -> None:
    first = things.post({"name": "a", "size": 1}, key="key-1")
    again = things.post('{"size": 1,  "name": "a"}', key="key-1")  # same JSON, other order and spacing

    assert len(things.runs) == 1
    assert (again.status_code, again.content) == (201, first.content)
    assert again.headers["location"] == first.headers["location"] == "/things/t-1"
    assert again.headers["content-type"] == "application/json"
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers


def test_the_same_key_with_another_body_is_a_422_problem(things: Things) -> None:
    things.post({"name": "a"}, key="key-1")

    answer = things.post({"name": "b"}, key="key-1")

    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == "urn:foyer:problem:idempotency-key-reused"
    assert len(things.runs) == 1


def test_a_duplicate_of_a_request_in_flight_is_a_409_with_retry_after(
    things: Things, store: IdempotencyStore
) -> None:
    body = json.dumps({"name": "a"}).encode()
    store.claim("POST /things#key-1", fingerprint("POST", "/things", body))  # the first, still running

    answer = things.post({"name": "a"}, key="key-1")

    assert answer.status_code == 409
    assert answer.json()["type"] == "urn:foyer:problem:idempotency-request-in-flight"
    assert int(answer.headers["retry-after"]) >= 1
    assert things.runs == []


def test_a_route_that_fails_gives_the_key_back_so_a_retry_runs(things: Things) -> None:
    assert things.post({"fail": True}, key="key-1").status_code == 500

    assert things.post({"fail": True}, key="key-1").status_code == 500
    assert len(things.runs) == 2


def test_a_malformed_key_is_refused_by_the_schema(things: Things) -> None:
    answer = things.post({"name": "a"}, key="x" * 256)

    assert answer.status_code == 422
    assert things.runs == []


def test_the_openapi_documents_the_header_and_both_problems(things: Things) -> None:
    operation = things.client.get("/openapi.json").json()["paths"]["/things"]["post"]

    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in operation["parameters"])
    assert "idempotency-key-reused" in operation["responses"]["422"]["description"]
    assert "idempotency-request-in-flight" in operation["responses"]["409"]["description"]


def test_a_required_key_is_documented_as_a_plain_string() -> None:
    router = APIRouter()

    @router.post("/required", status_code=204)
    async def required(
        once: Annotated[IdempotentCall, Depends(idempotent(get_store, required=True))],
    ) -> None:
        return None

    app = create_app("required", title="Required", routers=[router])
    [key] = TestClient(app).get("/openapi.json").json()["paths"]["/required"]["post"]["parameters"]

    assert key["required"] is True
    assert (key["schema"]["type"], key["schema"]["pattern"]) == ("string", KEY_PATTERN)
    assert "anyOf" not in key["schema"]  # a generated client cannot send None
