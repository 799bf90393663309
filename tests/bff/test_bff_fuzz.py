"""schemathesis over every operation of the three BFFs, over the real services: no 5xx, every 4xx a
problem, statuses, headers and bodies as the OpenAPI documents them (the checks of
tests/services/test_fuzz.py), and authentication as the security schemes declare it: the callers
authenticate through the schemes (a token of a real issuer for web and mobile, a partner key issued
in the stack for partner) and the real identity checks run, so `ignored_auth` can see an operation
that answers without credentials or with wrong ones."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth

from bff.mobile.app import app as mobile_app
from bff.partner.app import app as partner_app
from bff.web.app import app as web_app
from devtools.cli import partner_keys
from devtools.cli.partner_keys import PartnerKeys
from devtools.devstack.issuer import LocalIssuer
from devtools.devstack.stack import LocalStack
from foyer import aws
from foyer.identity.dependencies import (
    current_partner,
    current_user,
    get_partner_keys,
    get_partners,
    get_usage_meter,
    get_verifier,
    identity_settings,
)
from foyer.identity.partners import NEW_KEY_BOUND_S
from foyer.identity.tokens import Jwks, TokenVerifier
from tests.bff.conftest import Wiring
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
CHECKS.append(ignored_auth)
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
ISSUER = LocalIssuer.generate("fuzz")
VERIFIER = TokenVerifier(
    Jwks("memory://", fetch=lambda url: ISSUER.jwks()), issuer=ISSUER.issuer, audience=ISSUER.audience
)
CACHED = (identity_settings, get_partners, get_partner_keys, get_usage_meter)
# The value of the partner key this module issues (`partner_key`): known before the stack is, since
# schemathesis makes its first cases, credentials included, while it collects the tests.
PARTNER_KEY = secrets.token_urlsafe(partner_keys.KEY_BYTES)


@web.auth()
@mobile.auth()
class BearerToken:
    """The `bearer` scheme: a token of the issuer the apps verify against."""

    def get(self, case: Any, context: Any) -> str:
        return ISSUER.mint(f"fuzz-{uuid.uuid4().hex[:8]}")

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@partner.auth()
class PartnerKey:
    """The `apiKey` scheme: a key issued in the stack, under a plan fuzzing does not spend."""

    def get(self, case: Any, context: Any) -> str:
        return PARTNER_KEY

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "x-api-key": data}


@pytest.fixture(scope="module")
def partner_key(stack: LocalStack) -> str:
    tier = f"fuzz{uuid.uuid4().hex[:6]}"
    api, prefix = stack.apis["partner"], stack.tables["partner"].removesuffix("-partner")
    aws.client("apigateway").create_usage_plan(
        name=f"{prefix}-partner-{tier}",
        apiStages=[{"apiId": api.id, "stage": api.stage}],
        throttle={"rateLimit": 10000, "burstLimit": 10000},
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(partner_keys.secrets, "token_urlsafe", lambda size: PARTNER_KEY)
        issued = PartnerKeys.of(prefix).issue(f"fuzz-{uuid.uuid4().hex[:8]}", tier)
    time.sleep(NEW_KEY_BOUND_S)
    return issued.value


@pytest.fixture
def real_identity(bffs: Wiring, partner_key: str) -> Iterator[None]:
    """The BFFs' real identity checks in place of the test callers of tests/bff/conftest.py."""
    for app in (web_app, mobile_app):
        app.dependency_overrides.pop(current_user)
        app.dependency_overrides[get_verifier] = lambda: VERIFIER
    partner_app.dependency_overrides.pop(current_partner)
    for dependency in CACHED:
        dependency.cache_clear()
    yield
    for dependency in CACHED:
        dependency.cache_clear()


def _call(case: Any) -> None:
    case.call_and_validate(checks=CHECKS)


@web.parametrize()
@FUZZ
def test_web_answers_bad_input_with_problems(case: Any, real_identity: None) -> None:
    _call(case)


@mobile.parametrize()
@FUZZ
def test_mobile_answers_bad_input_with_problems(case: Any, real_identity: None) -> None:
    _call(case)


@partner.parametrize()
@FUZZ
def test_partner_answers_bad_input_with_problems(case: Any, real_identity: None) -> None:
    _call(case)
