"""What Foyer changes in FastAPI's OpenAPI: problem+json error bodies and readable operation ids.

FastAPI documents errors under `application/json` with an empty or validation-only schema, so a
generated client leaves a 409 unparsed, and names operations `list_products_products_get`. Here every
4xx/5xx response carries the one problem schema under `application/problem+json`, and an operation id
is the route's name (`list_products`), stable across path changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from foyer.errors import MEDIA_TYPE

PROBLEM_SCHEMA_NAME = "Problem"
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem; extension members depend on `type`.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "A URN naming the kind of problem, or about:blank"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "correlation_id": {"type": "string", "description": "Quote it when reporting the problem"},
        "errors": {
            "type": "array",
            "description": "For 400 and 422: what was wrong, field by field",
            "items": {
                "type": "object",
                "required": ["loc", "msg", "type"],
                "properties": {
                    "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}
# FastAPI's own validation schemas, unused once 422 answers are problems.
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def operation_id(route: APIRoute) -> str:
    """The route's name: `list_products`, not `list_products_products_get`."""
    return route.name


def problem_bodies(schema: dict[str, Any]) -> dict[str, Any]:
    """Give every 4xx/5xx response of `schema` the problem+json body, in place; returns `schema`."""
    ref = {"$ref": f"#/components/schemas/{PROBLEM_SCHEMA_NAME}"}
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for status, response in operation.get("responses", {}).items():
                if str(status)[0] in "45":
                    response["content"] = {MEDIA_TYPE: {"schema": ref}}
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        components.pop(name, None)
    components[PROBLEM_SCHEMA_NAME] = PROBLEM_SCHEMA
    return schema


def install(app: FastAPI) -> None:
    """Serve the corrected schema at /openapi.json (built on first request, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problem_bodies(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    openapi_version=app.openapi_version,
                    description=app.description,
                    routes=app.routes,
                    servers=app.servers,
                )
            )
        return app.openapi_schema

    patched: Callable[[], dict[str, Any]] = openapi
    app.openapi = patched  # type: ignore[method-assign]
