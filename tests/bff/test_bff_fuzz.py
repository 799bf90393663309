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

from bff.mobile.app import app as mobile_app
from bff.partner.app import app as partner_app
from bff.web.app import app as web_app
from tests.bff.conftest import PARTNER_HEADER, USER_HEADER
from tests.services.test_fuzz import CHECKS as SERVICE_CHECKS
from tests.services.test_fuzz import positive_data_acceptance_where_expressible

pytestmark = pytest.mark.integration

Case = schemathesis.Case


def _schema(app: FastAPI) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema.config.generation.update(modes=list(GenerationMode))
    return schema


web, mobile, partner = _schema(web_app), _schema(mobile_app), _schema(partner_app)
# The services' checks, but schema-valid input may be refused by state a BFF cannot state in its schema
# (an unknown sku, someone else's order: 404), so positive acceptance is not required here.
CHECKS = [check for check in SERVICE_CHECKS if check is not positive_data_acceptance_where_expressible]
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
