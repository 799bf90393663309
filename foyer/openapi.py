"""What Foyer changes in FastAPI's OpenAPI: problem+json error bodies and readable operation ids.

FastAPI documents errors under `application/json` with an empty or validation-only schema, so a
generated client leaves a 409 unparsed, and names operations `list_products_products_get`. Here every
4xx/5xx response carries the one problem schema under `application/problem+json`, and an operation id
is the route's name (`list_products`), stable across path changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

if TYPE_CHECKING:
    from fastapi.dependencies.models import Dependant
    from starlette.routing import BaseRoute

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


@dataclass(frozen=True)
class SecurityScheme:
    """How callers of the routes that depend on `dependency` authenticate: published as the OpenAPI
    security scheme `name` (`definition`), named by each such operation, which also documents the
    `refusals` (status -> description) the scheme's checks answer, at the edge or in the app."""

    name: str
    definition: Mapping[str, Any]
    dependency: Callable[..., Any]
    refusals: Mapping[int, str] = field(default_factory=dict)


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


def _api_routes(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every API route, those of included routers too."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif (context := getattr(route, "include_context", None)) is not None:
            yield from _api_routes(context.included_router.routes, prefix + context.prefix)


def _depends_on(dependant: Dependant, call: Callable[..., Any]) -> bool:
    return any(d.call is call or _depends_on(d, call) for d in dependant.dependencies)


def secured(
    schema: dict[str, Any], routes: Sequence[BaseRoute], schemes: Sequence[SecurityScheme]
) -> dict[str, Any]:
    """Name in each operation of `schema` the schemes its route depends on, with their refusals,
    and declare the schemes; in place, returns `schema`. An operation with none is public."""
    if not schemes:
        return schema
    for path, route in _api_routes(routes):
        uses = [scheme for scheme in schemes if _depends_on(route.dependant, scheme.dependency)]
        for method in (route.methods or ()) if uses else ():
            operation = schema.get("paths", {}).get(path, {}).get(method.lower())
            if operation is None:
                continue
            operation["security"] = [{scheme.name: [] for scheme in uses}]
            for scheme in uses:
                for status, description in scheme.refusals.items():
                    operation.setdefault("responses", {}).setdefault(
                        str(status), {"description": description}
                    )
    declared = schema.setdefault("components", {}).setdefault("securitySchemes", {})
    declared.update({scheme.name: dict(scheme.definition) for scheme in schemes})
    return schema


def install(app: FastAPI, security: Sequence[SecurityScheme] = ()) -> None:
    """Serve the corrected schema at /openapi.json (built on first request, then cached), with the
    `security` schemes named by the operations whose routes depend on them."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problem_bodies(
                secured(
                    get_openapi(
                        title=app.title,
                        version=app.version,
                        openapi_version=app.openapi_version,
                        description=app.description,
                        routes=app.routes,
                        servers=app.servers,
                    ),
                    app.routes,
                    security,
                )
            )
        return app.openapi_schema

    patched: Callable[[], dict[str, Any]] = openapi
    app.openapi = patched  # type: ignore[method-assign]
