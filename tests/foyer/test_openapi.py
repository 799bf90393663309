"""foyer.openapi: every error response documents the problem+json body; operation ids are route names."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from pydantic import BaseModel

from foyer.app import create_app
from foyer.errors import MEDIA_TYPE
from foyer.openapi import PROBLEM_SCHEMA_NAME

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
