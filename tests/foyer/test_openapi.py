"""foyer.openapi: every error response documents the problem+json body; operation ids are route names."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends
from fastapi.testclient import TestClient
from pydantic import BaseModel

from foyer.app import create_app
from foyer.errors import MEDIA_TYPE
from foyer.openapi import PROBLEM_SCHEMA_NAME, SecurityScheme

PROBLEM_REF = {"$ref": f"#/components/schemas/{PROBLEM_SCHEMA_NAME}"}


class Note(BaseModel):
    text: str


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    router = APIRouter()

    @router.post("/notes", responses={409: {"description": "Exists"}})
    async def create_note(note: Note) -> Note:
        return note

    @router.get("/notes/{note_id}")
    async def get_note(note_id: int) -> Note:
        return Note(text=str(note_id))

    app = create_app("notes", title="Notes", routers=[router])
    with TestClient(app) as client:
        served: dict[str, Any] = client.get("/openapi.json").json()
    return served


def operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in schema["paths"].values() for op in item.values()]


def test_every_error_response_is_a_problem_with_its_schema(schema: dict[str, Any]) -> None:
    errors = [
        (status, response)
        for op in operations(schema)
        for status, response in op["responses"].items()
        if status[0] in "45"
    ]
    assert {status for status, _ in errors} >= {"400", "409", "413", "422", "500"}
    for status, response in errors:
        assert response["content"] == {MEDIA_TYPE: {"schema": PROBLEM_REF}}, status


def test_the_problem_schema_requires_the_rfc_9457_members(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    problem = components[PROBLEM_SCHEMA_NAME]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    assert problem["additionalProperties"] is True
    # FastAPI's own validation error schemas describe nothing we send.
    assert "HTTPValidationError" not in components


def test_operation_ids_are_the_route_names(schema: dict[str, Any]) -> None:
    assert sorted(op["operationId"] for op in operations(schema)) == ["create_note", "get_note", "health"]


def caller() -> str:
    return "someone"


CALLER = SecurityScheme("key", {"type": "apiKey", "in": "header", "name": "x-key"}, caller, {403: "No key"})


def test_operations_depending_on_a_scheme_name_it_and_document_its_refusals() -> None:
    router = APIRouter(prefix="/v1")

    @router.get("/mine")
    async def mine(who: Annotated[str, Depends(caller)]) -> str:
        return who

    @router.get("/anyone")
    async def anyone() -> str:
        return "hello"

    app = create_app("keys", title="Keys", routers=[router], security=[CALLER])
    schema = TestClient(app).get("/openapi.json").json()

    assert schema["components"]["securitySchemes"] == {"key": dict(CALLER.definition)}
    secured = schema["paths"]["/v1/mine"]["get"]
    assert secured["security"] == [{"key": []}]
    assert secured["responses"]["403"] == {
        "description": "No key",
        "content": {MEDIA_TYPE: {"schema": PROBLEM_REF}},
    }
    for public in (schema["paths"]["/v1/anyone"]["get"], schema["paths"]["/health"]["get"]):
        assert "security" not in public
        assert "403" not in public["responses"]
