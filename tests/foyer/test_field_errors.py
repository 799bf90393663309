"""foyer.field_errors: 422 locations name fields only, without union noise, and the list is bounded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, FastAPI, Header, Query
from fastapi.testclient import TestClient
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from foyer import field_errors
from foyer.app import create_app


def _https(value: str) -> str:
    if not value.startswith("https://"):
        raise ValueError("must be an https URL")
    return value


HttpsUrl = Annotated[str, AfterValidator(_https)]


class Money(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: int
    currency: str = Field(pattern="^[A-Z]{3}$")


class Patch(BaseModel):
    """Optional fields that refuse null: `X | SkipJsonSchema[None]` is a real union for pydantic (with
    a `none` branch), unlike `X | None`, which it compiles to one nullable schema."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1)] | SkipJsonSchema[None] = None
    price: Money | SkipJsonSchema[None] = None
    image_urls: list[HttpsUrl] | SkipJsonSchema[None] = None
    tags: dict[str, int] | None = None


def build_app() -> FastAPI:
    router = APIRouter()

    @router.patch("/things/{thing_id}")
    async def patch(
        thing_id: int,
        patch: Patch,
        limit: Annotated[int | None, Query(ge=1)] = None,
        skus: Annotated[list[int] | None, Query()] = None,
        if_match: Annotated[str | None, Header(max_length=8)] = None,
    ) -> dict[str, str]:
        return {}

    return create_app("fieldtest", title="field errors", routers=[router])


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(build_app()) as test_client:
        yield test_client


def errors_of(client: TestClient, body: Any, **kwargs: Any) -> list[dict[str, Any]]:
    response = client.patch("/things/1", json=body, **kwargs)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert isinstance(problem["errors"], list)
    return problem["errors"]  # type: ignore[no-any-return]


def locations(errors: list[dict[str, Any]]) -> list[list[Any]]:
    return [e["loc"] for e in errors]


def test_union_branches_leave_no_tag_and_no_input_should_be_none(client: TestClient) -> None:
    body = {"name": "", "price": {"amount": "x"}, "image_urls": ["http://a.example"]}
    errors = errors_of(client, body)
    assert locations(errors) == [
        ["body", "name"],
        ["body", "price", "amount"],
        ["body", "price", "currency"],
        ["body", "image_urls", 0],
    ]
    text = json.dumps(errors)
    for internal in ("constrained-str", "Money", "function-after", "none", "list["):
        assert internal not in text
    assert "Input should be None" not in text


def test_a_wrong_type_for_an_object_names_neither_the_model_nor_the_null_branch(client: TestClient) -> None:
    errors = errors_of(client, {"price": "cheap"})
    assert errors == [
        {"loc": ["body", "price"], "msg": "Input should be an object", "type": "model_attributes_type"}
    ]


def test_unknown_keys_and_dict_keys_keep_their_names(client: TestClient) -> None:
    errors = errors_of(client, {"price": {"amount": 1, "currency": "EUR", "Money": 1}, "tags": {"a": "x"}})
    assert locations(errors) == [["body", "price", "Money"], ["body", "tags", "a"]]


def test_parameters_are_named_without_tags(client: TestClient) -> None:
    response = client.patch(
        "/things/x?limit=0&skus=1&skus=y", json={"name": "n"}, headers={"if-match": "x" * 9}
    )
    assert response.status_code == 422
    assert locations(response.json()["errors"]) == [
        ["path", "thing_id"],
        ["query", "limit"],
        ["query", "skus", 1],
        ["header", "if-match"],
    ]


def test_a_null_where_null_is_allowed_is_no_error(client: TestClient) -> None:
    assert client.patch("/things/1", json={"name": None, "price": None}).status_code == 200


def test_the_list_of_errors_is_bounded_and_says_how_many_more(client: TestClient) -> None:
    # The case: 6,000 unknown keys in about 60 KB (within the body limit).
    body = json.dumps({f"k{i}": 1 for i in range(6000)}, separators=(",", ":"))
    response = client.patch("/things/1", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    problem = response.json()
    assert len(problem["errors"]) == field_errors.MAX_REPORTED
    assert problem["errors_omitted"] == 6000 - field_errors.MAX_REPORTED
    assert "6000" in problem["detail"]
    assert len(response.content) < 5_000


def test_a_short_list_has_no_count(client: TestClient) -> None:
    response = client.patch("/things/1", json={"name": ""})
    assert "errors_omitted" not in response.json()


def test_a_json_syntax_error_keeps_its_position(client: TestClient) -> None:
    response = client.patch("/things/1", content=b'{"name": ', headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert locations(response.json()["errors"]) == [["body", 9]]


# The rules themselves, on pydantic-shaped errors.
def test_a_missing_field_under_a_union_branch_is_named() -> None:
    raw = [{"loc": ("body", "price", "Money", "amount"), "msg": "Field required", "type": "missing"}]
    assert field_errors.clean(raw, {"price": {}}) == [
        {"loc": ["body", "price", "amount"], "msg": "Field required", "type": "missing"}
    ]


def test_input_should_be_none_alone_is_kept() -> None:
    # A field whose only valid value is null: the error is the whole story, not union noise.
    raw = [{"loc": ("body", "nothing"), "msg": "Input should be None", "type": "none_required"}]
    assert field_errors.clean(raw, {"nothing": 1}) == [
        {"loc": ["body", "nothing"], "msg": "Input should be None", "type": "none_required"}
    ]


def test_repeats_after_cleaning_are_listed_once() -> None:
    raw = [
        {"loc": ("body", "a", "str"), "msg": "bad", "type": "t"},
        {"loc": ("body", "a", "constrained-str"), "msg": "bad", "type": "t"},
    ]
    assert field_errors.clean(raw, {"a": 1}) == [{"loc": ["body", "a"], "msg": "bad", "type": "t"}]
