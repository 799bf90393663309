"""Property-based fuzzing of the services' OpenAPI with schemathesis: bad input is a clear 4xx, never a 500.

Each service's schema is read from its in-process ASGI app; for every operation schemathesis sends
valid and deliberately invalid requests (both generation modes) and every response must:

- not be a 5xx,
- use a status code and, where documented, a body that the operation's OpenAPI declares,
- when it is a 4xx, be an RFC 9457 problem: `application/problem+json` with an integer `status`
  equal to the HTTP status and `title` and `detail` strings,
- for schema-invalid input, be a 4xx; for schema-valid input, not be refused (the OpenAPI states what
  the validators enforce), save for the few rules JSON Schema cannot state (see `_inexpressible`).

Hypothesis runs derandomized, so CI sees the same cases on every run; the examples are bounded to keep
the whole module well under a minute on a 2-core machine.
"""

from __future__ import annotations

import json
from typing import Any, TypeAlias

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis import CheckContext, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from foyer.errors import MEDIA_TYPE
from services.catalog.app import app as catalog_app
from services.inventory.app import app as inventory_app

pytestmark = pytest.mark.integration

Case: TypeAlias = schemathesis.Case[Any]

MAX_EXAMPLES = 25


def _schema(app: FastAPI) -> schemathesis.BaseSchema:
    # Loading the schema only asks the app for /openapi.json: no AWS call happens at import time.
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    # Positive and negative cases: malformed paths, queries, headers and bodies are sent too.
    schema.config.generation.update(modes=list(GenerationMode))
    return schema


catalog = _schema(catalog_app)
inventory = _schema(inventory_app)


def problem_details(ctx: CheckContext, response: schemathesis.Response, case: Case) -> bool | None:
    """Every 4xx is an RFC 9457 problem whose `status` repeats the HTTP status."""
    status = response.status_code
    if not 400 <= status < 500:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.split(";")[0].strip() == MEDIA_TYPE, f"{status} with content-type {content_type!r}"
    body: Any = json.loads(response.content)
    assert isinstance(body, dict), f"{status} problem body is not an object: {body!r}"
    assert type(body.get("status")) is int, f"problem `status` is not an integer: {body!r}"
    assert body["status"] == status, f"problem `status` {body['status']} != HTTP {status}"
    assert isinstance(body.get("title"), str), f"problem `title` is not a string: {body!r}"
    assert isinstance(body.get("detail"), str), f"problem `detail` is not a string: {body!r}"
    return True


def _inexpressible(case: Case) -> str | None:
    """Why a schema-valid request may still be refused by a rule JSON Schema cannot state (or None)."""
    # Schemathesis' coverage phase labels a case positive while one of its parts (e.g. the If-Match
    # header `0`) was generated in negative mode: such a case is not schema-valid.
    components = case.meta.components if case.meta is not None else {}
    if any(not info.mode.is_positive for info in components.values()):
        return "a part of the case was generated to be invalid"
    # Pagination cursors are opaque: only the ones this API issued are accepted.
    if (case.query or {}).get("cursor"):
        return "cursor the API did not issue"
    return None


# Refusals of well-formed requests because of the stored state, not the request's shape.
STATE_STATUSES = {("PATCH /products/{sku}", 412)}  # If-Match names another version of the product
# Skus with no stock or too little, an order id that reserved other lines or was released since.
STATE_PROBLEM_TYPES = {
    ("POST /reservations", f"urn:foyer:problem:{slug}")
    for slug in ("unknown-skus", "insufficient-stock", "reservation-mismatch", "reservation-released")
}


def positive_data_acceptance_where_expressible(
    ctx: CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """Schema-valid input is accepted, except where a rule that JSON Schema cannot state refuses it."""
    if case.meta is None or not case.meta.generation.mode.is_positive or _inexpressible(case) is not None:
        return None
    operation, status = f"{case.method.upper()} {case.path}", response.status_code
    if (operation, status) in STATE_STATUSES:
        return None
    if 400 <= status < 500:
        problem: Any = json.loads(response.content)
        if isinstance(problem, dict) and (operation, problem.get("type")) in STATE_PROBLEM_TYPES:
            return None
    return positive_data_acceptance(ctx, response, case)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    # Schema-invalid input must be refused with a 4xx (the point of the negative mode).
    negative_data_rejection,
    # Schema-valid input must be accepted: the OpenAPI states what the validators enforce.
    positive_data_acceptance_where_expressible,
    problem_details,
]

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # `services_stack` is function scoped on purpose (it clears cached settings once per operation).
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
)


@catalog.parametrize()
@FUZZ_SETTINGS
def test_catalog_answers_bad_input_with_problems(case: Case, services_stack: Any) -> None:
    case.call_and_validate(checks=CHECKS)


@inventory.parametrize()
@FUZZ_SETTINGS
def test_inventory_answers_bad_input_with_problems(case: Case, services_stack: Any) -> None:
    case.call_and_validate(checks=CHECKS)
