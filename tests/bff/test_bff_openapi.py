"""The BFFs' OpenAPI documents as a generated client reads them: how to authenticate and where
(security schemes per operation, with the refusals), required headers as plain strings, the headers
answers carry, and query lists bounded as the routes bound them."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from bff.shared.inputs import IDEMPOTENCY_KEY_PATTERN
from foyer.identity.dependencies import current_partner, current_user

BFFS = ("web", "mobile", "partner")
SCHEMES = {
    "web": ("bearer", {"type": "http", "scheme": "bearer"}, current_user, {"401", "403"}),
    "mobile": ("bearer", {"type": "http", "scheme": "bearer"}, current_user, {"401", "403"}),
    "partner": (
        "apiKey",
        {"type": "apiKey", "in": "header", "name": "x-api-key"},
        current_partner,
        {"403", "429"},
    ),
}
PLACE_ORDER = {"web": "/checkout", "mobile": "/checkout", "partner": "/v1/orders"}


def app_of(bff: str) -> FastAPI:
    app: FastAPI = importlib.import_module(f"bff.{bff}.app").app
    return app


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def api_routes(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif (context := getattr(route, "include_context", None)) is not None:
            yield from api_routes(context.included_router.routes, prefix + context.prefix)


def calls(dependant: Dependant) -> set[Any]:
    return {call for d in dependant.dependencies for call in {d.call} | calls(d)}


@pytest.mark.parametrize("bff", BFFS)
def test_operations_that_ask_who_calls_name_the_scheme_and_its_refusals(bff: str) -> None:
    name, definition, dependency, refusals = SCHEMES[bff]
    schema = app_of(bff).openapi()
    declared = schema["components"]["securitySchemes"]
    assert set(declared) == {name}
    assert definition.items() <= declared[name].items()
    asking = {
        f"{method} {path}"
        for path, route in api_routes(app_of(bff).routes)
        if dependency in calls(route.dependant) and route.include_in_schema
        for method in route.methods
    }
    secured = {key for key, operation in operations(schema) if "security" in operation}
    assert asking
    assert secured == asking
    for key, operation in operations(schema):
        if key in secured:
            assert operation["security"] == [{name: []}], key
            assert refusals <= set(operation["responses"]), key
            for status in refusals:
                assert "application/problem+json" in operation["responses"][status]["content"], key
        else:
            assert not {"401", "403"} & set(operation["responses"]), key
    assert "security" not in schema  # public routes (/health, /home, ...) need nothing


@pytest.mark.parametrize("bff", BFFS)
def test_a_required_idempotency_key_is_a_plain_string(bff: str) -> None:
    operation = app_of(bff).openapi()["paths"][PLACE_ORDER[bff]]["post"]
    [key] = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
    assert key["required"] is True
    assert {k: v for k, v in key["schema"].items() if k in ("type", "pattern", "anyOf")} == {
        "type": "string",
        "pattern": IDEMPOTENCY_KEY_PATTERN,
    }


@pytest.mark.parametrize("bff", BFFS)
def test_answers_document_the_headers_they_carry(bff: str) -> None:
    schema = app_of(bff).openapi()
    created = schema["paths"][PLACE_ORDER[bff]]["post"]["responses"]["201"]["headers"]
    assert created["Location"]["required"] is True
    assert created["Idempotent-Replayed"]["schema"]["enum"] == ["true"]
    retried = {
        (key, status)
        for key, operation in operations(schema)
        for status, response in operation["responses"].items()
        if response.get("headers", {}).get("Retry-After", {}).get("required")
    }
    every_503 = {
        (key, status)
        for key, operation in operations(schema)
        for status in operation["responses"]
        if status == "503"
    }
    assert every_503 <= retried
    assert (f"POST {PLACE_ORDER[bff]}", "409") in retried or bff != "partner"
    if bff == "partner":
        assert ("GET /v1/products", "429") in retried
    else:
        unauthenticated = schema["paths"]["/me/orders"]["get"]["responses"]["401"]["headers"]
        assert unauthenticated["WWW-Authenticate"]["required"] is True


def test_the_sku_list_is_bounded_as_the_route_bounds_it() -> None:
    [skus] = app_of("partner").openapi()["paths"]["/v1/availability"]["get"]["parameters"]
    pattern, longest = skus["schema"]["pattern"], skus["schema"]["maxLength"]
    hundred = ",".join(f"SKU-{i:03}-{'X' * 32}" for i in range(100))
    assert re.fullmatch(pattern, hundred)
    assert len(hundred) == longest
    assert not re.fullmatch(pattern, ",".join(["ABC"] * 101))
    assert not re.fullmatch(pattern, "COF-001, BRE-005")
