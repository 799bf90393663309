"""Who a user is, whatever their identity provider calls them: every subject shape real providers
issue signs in with a real token, checks out and sees its orders through web and mobile, under
uvicorn (the real `current_user` verifying the token) and behind API Gateway (the real authorizer's
answer in a REST event to the real Mangum handler); a user named like a partner sees nothing of the
partner's, not even inside a cursor."""

from __future__ import annotations

import json
import uuid
from typing import Any, cast

import pytest

from bff.authorizer.handler import Authorizer
from devtools.devstack.apigateway import rest_event
from devtools.devstack.issuer import LocalIssuer
from foyer.identity.dependencies import current_user, get_verifier
from foyer.identity.tokens import Jwks, TokenVerifier
from foyer.lambda_glue import make_handler
from tests.bff.conftest import APPS, PARTNER_HEADER, Wiring

pytestmark = pytest.mark.integration

ISSUER = LocalIssuer.generate("subjects")
SUBJECTS = {
    "Auth0 database user": "auth0|5f7c8ec7c33c6c004bbafe82",
    "Google through Auth0": "google-oauth2|113741298374523412345",
    "Cognito UUID": "9f1c5b2e-7d4a-4c3b-a1e2-3f4d5e6a7b8c",
    "an e-mail address": "ada.lovelace+shop@example.com",
    "non-ASCII": "Zoë Ångström 用户",
    "over 64 characters": "CgNhZGESBWxvY2FsGgdleGFtcGxlIhBhZGFAZXhhbXBsZS5jb20oAQ" + "x" * 40,
    "a URL": "https://id.example.com/users/42?tenant=eu",
}
HEADERS = {"web": {}, "mobile": {"X-App-Version": "1.4.0"}}


VERIFIER = TokenVerifier(
    Jwks("memory://", fetch=lambda url: ISSUER.jwks()), issuer=ISSUER.issuer, audience=ISSUER.audience
)


@pytest.fixture
def signed_in(bffs: Wiring) -> Wiring:
    """Web and mobile with their real `current_user`, verifying tokens of ISSUER (uvicorn's path)."""
    verifier = VERIFIER
    for name in ("web", "mobile"):
        APPS[name].dependency_overrides.pop(current_user)
        APPS[name].dependency_overrides[get_verifier] = lambda: verifier
    return bffs  # bffs clears every override after the test


def as_subject(bff: str, subject: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {ISSUER.mint(subject)}", **HEADERS[bff]}


def checkout(wiring: Wiring, bff: str, subject: str, sku: str) -> Any:
    body = {"contact_email": "ada@example.com", "lines": [{"sku": sku, "quantity": 1}]}
    headers = as_subject(bff, subject) | {"Idempotency-Key": str(uuid.uuid4())}
    return wiring.clients[bff].post("/checkout", json=body, headers=headers)


@pytest.mark.parametrize("bff", ["web", "mobile"])
@pytest.mark.parametrize("subject", SUBJECTS.values(), ids=SUBJECTS.keys())
def test_every_subject_shape_checks_out_and_sees_only_its_own_orders(
    signed_in: Wiring, catalog_items: dict[str, str], bff: str, subject: str
) -> None:
    client = signed_in.clients[bff]
    placed = checkout(signed_in, bff, subject, catalog_items["coffee"])
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    listed = client.get("/me/orders", headers=as_subject(bff, subject))
    assert listed.status_code == 200, listed.text
    assert order_id in [
        o["order_id"] for o in listed.json()["items"]
    ]  # the session's stack keeps earlier ones
    assert client.get(f"/me/orders/{order_id}", headers=as_subject(bff, subject)).status_code == 200
    for neighbour in (subject + "x", subject.upper() if subject != subject.upper() else subject.lower()):
        assert client.get(f"/me/orders/{order_id}", headers=as_subject(bff, neighbour)).status_code == 404
        assert client.get("/me/orders", headers=as_subject(bff, neighbour)).json()["items"] == []


@pytest.mark.parametrize("bff", ["web", "mobile"])
def test_a_user_named_like_a_partner_sees_nothing_of_the_partners_orders(
    signed_in: Wiring, catalog_items: dict[str, str], bff: str
) -> None:
    partner_id = f"acme-{uuid.uuid4().hex[:8]}"
    partner = signed_in.clients["partner"]
    for _ in range(2):
        body = {"lines": [{"sku": catalog_items["coffee"], "quantity": 1}], "reference": "PO-1"}
        headers = {PARTNER_HEADER: partner_id, "Idempotency-Key": str(uuid.uuid4())}
        assert partner.post("/v1/orders", json=body, headers=headers).status_code == 201
    for limit in (1, 20):
        page = signed_in.clients[bff].get(
            "/me/orders", params={"limit": limit}, headers=as_subject(bff, partner_id)
        )
        assert page.status_code == 200, page.text
        assert page.json() == {"items": [], "next_cursor": None}


@pytest.mark.parametrize("bff", ["web", "mobile"])
@pytest.mark.parametrize("subject", SUBJECTS.values(), ids=SUBJECTS.keys())
def test_every_subject_shape_checks_out_behind_the_gateway(
    signed_in: Wiring, catalog_items: dict[str, str], bff: str, subject: str
) -> None:
    """The authorizer's answer for the token becomes the REST event's `requestContext.authorizer`."""
    token_event = {
        "type": "TOKEN",
        "authorizationToken": f"Bearer {ISSUER.mint(subject)}",
        "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev/POST/checkout",
    }
    answer = Authorizer(VERIFIER)(token_event, None)
    # API Gateway hands every context value to the integration as a string.
    context = {"principalId": answer["principalId"], **{k: str(v) for k, v in answer["context"].items()}}
    handler = make_handler(APPS[bff])
    try:
        body = {
            "contact_email": "ada@example.com",
            "lines": [{"sku": catalog_items["coffee"], "quantity": 1}],
        }
        headers = {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4()), **HEADERS[bff]}
        event = rest_event("POST", "/checkout", headers=headers, body=json.dumps(body), authorizer=context)
        placed = handler(event, cast(Any, None))
        assert placed["statusCode"] == 201, placed["body"]
        order_id = json.loads(placed["body"])["order_id"]
        listed = handler(
            rest_event("GET", "/me/orders", headers=HEADERS[bff], authorizer=context), cast(Any, None)
        )
        assert listed["statusCode"] == 200, listed["body"]
        assert order_id in [o["order_id"] for o in json.loads(listed["body"])["items"]]
    finally:
        handler.shutdown()
