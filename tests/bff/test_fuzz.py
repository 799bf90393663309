"""schemathesis over every operation of the three BFFs, over the real services: no 5xx, every 4xx a
problem, statuses, headers and bodies as the OpenAPI documents them (the checks of
tests/services/test_fuzz.py; the callers are the test identities of tests/bff/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bff.mobile.app import app as mobile_app
from bff.partner.app import app as partner_app
from bff.web.app import app as web_app
from tests.bff.conftest import PARTNER_HEADER, USER_HEADER
from tests.services.test_fuzz import problem_details

pytestmark = pytest.mark.integration

Case = schemathesis.Case


def _schema(app: FastAPI) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema.config.generation.update(modes=list(GenerationMode))
    return schema


web, mobile, partner = _schema(web_app), _schema(mobile_app), _schema(partner_app)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    problem_details,
]
FUZZ = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
)
CALLERS = {USER_HEADER: "fuzz-user", PARTNER_HEADER: "fuzz-partner"}


def _call(case: Any) -> None:
    case.call_and_validate(headers={**(case.headers or {}), **CALLERS}, checks=CHECKS)


@web.parametrize()
@FUZZ
def test_web_answers_bad_input_with_problems(case: Any, bffs: Any) -> None:
    _call(case)


@mobile.parametrize()
@FUZZ
def test_mobile_answers_bad_input_with_problems(case: Any, bffs: Any) -> None:
    _call(case)


@partner.parametrize()
@FUZZ
def test_partner_answers_bad_input_with_problems(case: Any, bffs: Any) -> None:
    _call(case)
