"""The three BFFs in Lambda mode: through the local gateway built from the session's stack file
(Terraform's APIs, the real authorizer, the demo partner's key and usage plan in the emulator, the
demo user's token from the local issuer) to their real Mangum handlers, with real identity: no test
caller stands in."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from foyer import aws
from foyer.devstack.gateway import Gateway, build
from foyer.devstack.stack import LocalStack
from foyer.dynamodb import Table
from foyer.identity.dependencies import current_partner, current_user, get_partners
from foyer.identity.partners import EmulatorKeys, KeyDirectory
from foyer.identity.plans import UsageMeter
from tests.bff.conftest import APPS, Wiring

pytestmark = pytest.mark.integration


class Frozen:
    """A clock that does not move: the bronze plan's burst of 5 is exactly 5 requests."""

    def __call__(self) -> float:
        return 1_800_000_000.0


@pytest.fixture
def gateways(stack: LocalStack, bffs: Wiring) -> dict[str, Gateway]:
    partners = KeyDirectory(lambda: Table(stack.tables["partner"]))
    for app in APPS.values():
        app.dependency_overrides.pop(current_user)  # the real dependencies, in their Lambda branch
        app.dependency_overrides.pop(current_partner)
        app.dependency_overrides[get_partners] = lambda: partners
    return {name: build(stack, name, meter=UsageMeter(Frozen())) for name in ("web", "mobile", "partner")}


def call(
    gateway: Gateway, method: str, path: str, body: Any = None, **headers: str
) -> tuple[int, dict[str, str], Any]:
    payload = json.dumps(body).encode() if body is not None else b""
    if body is not None:
        headers["Content-Type"] = "application/json"
    status, answer_headers, raw = gateway.serve(method, f"/local{path}", headers, payload, "127.0.0.1")
    return status, {k.lower(): v for k, v in answer_headers.items()}, json.loads(raw) if raw else None


def bearer(stack: LocalStack) -> str:
    assert stack.demo is not None
    assert stack.demo.user_token is not None
    return f"Bearer {stack.demo.user_token}"


def test_the_stack_file_describes_every_bff_api_and_the_demo_credentials(stack: LocalStack) -> None:
    assert set(stack.apis) == {"web", "mobile", "partner"}
    assert (stack.apis["web"].authorizer, stack.apis["partner"].api_key_required) == (True, True)
    assert not stack.apis["partner"].authorizer
    assert stack.demo is not None
    assert stack.demo.partner_api_key
    demo = EmulatorKeys(lambda: aws.client("apigateway")).lookup(stack.demo.partner_api_key)
    assert demo is not None  # issued as every partner key is, under the bronze plan
    assert (demo.partner.partner_id, demo.plan is not None) == ("demo-partner", True)
    assert KeyDirectory(lambda: Table(stack.tables["partner"])).get(demo.partner.api_key_id) == demo.partner


def test_web_journey_signed_in_through_the_authorizer(
    stack: LocalStack, gateways: dict[str, Gateway], catalog_items: dict[str, str]
) -> None:
    web = gateways["web"]
    status, _, home = call(web, "GET", "/home", Authorization=bearer(stack))
    assert status == 200, home
    order = {"contact_email": "ada@example.com", "lines": [{"sku": catalog_items["coffee"], "quantity": 1}]}
    status, headers, placed = call(
        web, "POST", "/checkout", order, Authorization=bearer(stack), **{"Idempotency-Key": str(uuid.uuid4())}
    )
    assert status == 201, placed
    assert headers["location"] == f"/local/me/orders/{placed['order_id']}"  # the stage is in the URL
    status, _, mine = call(web, "GET", f"/me/orders/{placed['order_id']}", Authorization=bearer(stack))
    assert status == 200, mine
    status, _, listed = call(web, "GET", "/me/orders", Authorization=bearer(stack))
    assert status == 200
    assert placed["order_id"] in json.dumps(listed)


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic YWRhOnB3"])
def test_web_and_mobile_refuse_a_missing_or_bad_token_at_the_edge(
    gateways: dict[str, Gateway], authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    for name in ("web", "mobile"):
        status, answer_headers, body = call(gateways[name], "GET", "/me/orders", **headers)
        assert status == 401, (name, body)
        assert answer_headers["content-type"] == "application/problem+json"
        assert answer_headers["www-authenticate"].startswith("Bearer")


def test_mobile_home_signed_in(stack: LocalStack, gateways: dict[str, Gateway]) -> None:
    status, _, body = call(
        gateways["mobile"], "GET", "/home", Authorization=bearer(stack), **{"X-App-Version": "9.9.9"}
    )
    assert status == 200, body


def test_partner_journey_with_the_demo_key(
    stack: LocalStack, gateways: dict[str, Gateway], catalog_items: dict[str, str]
) -> None:
    assert stack.demo is not None
    key = {"x-api-key": str(stack.demo.partner_api_key)}
    partner = gateways["partner"]
    status, _, products = call(partner, "GET", "/v1/products", **key)
    assert status == 200, products
    order = {"lines": [{"sku": catalog_items["coffee"], "quantity": 1}], "reference": "PO-1 lambda"}
    status, _, placed = call(
        partner, "POST", "/v1/orders", order, **key, **{"Idempotency-Key": str(uuid.uuid4())}
    )
    assert status == 201, placed
    order_id = placed.get("order_id") or placed.get("id")
    status, _, seen = call(partner, "GET", f"/v1/orders/{order_id}", **key)
    assert (status, seen["reference"]) == (200, "PO-1 lambda"), seen
    status, _, listed = call(partner, "GET", "/v1/orders?limit=100", **key)
    assert [o["reference"] for o in listed["items"] if o["order_id"] == order_id] == ["PO-1 lambda"]


@pytest.mark.parametrize("headers", [{}, {"x-api-key": "guessed-key"}], ids=["no key", "unknown key"])
def test_partner_without_a_valid_key_is_403(gateways: dict[str, Gateway], headers: dict[str, str]) -> None:
    status, answer_headers, body = call(gateways["partner"], "GET", "/v1/products", **headers)
    assert (status, answer_headers["content-type"], body["status"]) == (403, "application/problem+json", 403)


def test_a_burst_over_the_demo_partners_plan_gets_429_with_retry_after(
    stack: LocalStack, gateways: dict[str, Gateway]
) -> None:
    assert stack.demo is not None
    key = {"x-api-key": str(stack.demo.partner_api_key)}
    statuses = [call(gateways["partner"], "GET", "/v1/products?limit=1", **key)[0] for _ in range(5)]
    assert statuses == [200] * 5  # bronze: burst 5 (terraform/environments/local, var.partner_tiers)
    status, headers, body = call(gateways["partner"], "GET", "/v1/products?limit=1", **key)
    assert (status, headers["retry-after"], body["limit"]) == (429, "1", "rate")
