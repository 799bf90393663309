"""The local gateway (Lambda mode) end to end in process: a request becomes a REST event, passes the
edge (the real authorizer over the shared verifier, API keys metered against their plan) and reaches a
real Mangum handler; every refusal is the problem+json the BFFs answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter, Request

from bff.authorizer.handler import Authorizer
from foyer.app import create_app
from foyer.devstack.apigateway import ACCOUNT_ID
from foyer.devstack.edge import Edge
from foyer.devstack.gateway import Gateway
from foyer.devstack.issuer import LocalIssuer
from foyer.devstack.lambda_context import LambdaFunction
from foyer.identity import IdentityUnavailable
from foyer.identity.dependencies import CurrentPartner, CurrentUser, get_partners
from foyer.identity.partners import PartnerKey
from foyer.identity.plans import UsageMeter, UsagePlan
from foyer.identity.principals import Partner
from foyer.identity.problems import PROBLEMS
from foyer.identity.tokens import Jwks, TokenVerifier
from foyer.lambda_glue import LambdaAdapter, make_handler
from foyer.stack_file import Api
from tests.forged_tokens import FORGERIES, genuine, now

ISSUER = LocalIssuer.generate("key-1")
ACME = Partner("acme", "bronze", "k-acme")
FUNCTION = LambdaFunction(
    "foyer-test-bff", "arn:aws:lambda:eu-west-1:123456789012:function:foyer-test-bff", 30
)


class Clock:
    now = 1_000.0

    def __call__(self) -> float:
        return self.now


class Keys:
    def lookup(self, value: str) -> PartnerKey | None:
        return PartnerKey(ACME, UsagePlan("bronze", rate=1, burst=2, quota=3)) if value == "secret" else None


class CountingAuthorizer:
    def __init__(self) -> None:
        verifier = TokenVerifier(
            Jwks("memory://", fetch=lambda url: ISSUER.jwks()),
            issuer=ISSUER.issuer,
            audience=ISSUER.audience,
            now=now,
        )
        self.authorizer = Authorizer(verifier)
        self.calls = 0

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.calls += 1
        return self.authorizer(event, context)


@pytest.fixture(scope="module")
def handler() -> Iterator[LambdaAdapter]:
    router = APIRouter()

    @router.get("/me")
    async def me(user: CurrentUser, request: Request) -> dict[str, Any]:
        return {"user_id": user.user_id, "path": request.url.path}

    @router.get("/partner/orders")
    async def orders(partner: CurrentPartner, limit: int = 10) -> dict[str, Any]:
        return {"partner_id": partner.partner_id, "limit": limit}

    @router.post("/partner/orders")
    async def place(partner: CurrentPartner, request: Request) -> dict[str, Any]:
        return {"partner_id": partner.partner_id, "body": await request.json()}

    app = create_app("gatewaytest", title="Gateway test", routers=[router], problems=PROBLEMS)
    app.dependency_overrides[get_partners] = lambda: {"k-acme": ACME}
    adapter = make_handler(app)
    yield adapter
    adapter.shutdown()


def web(handler: LambdaAdapter, authorizer: CountingAuthorizer, clock: Clock) -> Gateway:
    api = Api(
        id="webapi0001",
        stage="local",
        invoke_url="",
        authorizer=True,
        authorizer_ttl=300,
        api_key_required=False,
    )
    edge = Edge(api, region="eu-west-1", account_id=ACCOUNT_ID, authorizer=authorizer, clock=clock)
    return Gateway(edge, handler, FUNCTION, "eu-west-1")


def partner(handler: LambdaAdapter, clock: Clock) -> Gateway:
    api = Api(id="partner001", stage="local", invoke_url="", authorizer=False, api_key_required=True)
    edge = Edge(api, region="eu-west-1", account_id=ACCOUNT_ID, keys=Keys(), meter=UsageMeter(clock))
    return Gateway(edge, handler, FUNCTION, "eu-west-1")


def call(
    gateway: Gateway, method: str, target: str, body: bytes = b"", **headers: str
) -> tuple[int, dict[str, str], Any]:
    status, answer_headers, payload = gateway.serve(method, target, headers, body, "127.0.0.1")
    return status, {k.lower(): v for k, v in answer_headers.items()}, json.loads(payload) if payload else None


def test_a_signed_in_user_reaches_the_bff_through_the_authorizer(handler: LambdaAdapter) -> None:
    clock, authorizer = Clock(), CountingAuthorizer()
    gateway = web(handler, authorizer, clock)
    token = f"Bearer {genuine(ISSUER)}"
    status, _, body = call(gateway, "GET", "/local/me", Authorization=token)
    assert (status, body) == (200, {"user_id": "ada", "path": "/local/me"})  # the stage is the root path
    call(gateway, "GET", "/local/me", Authorization=token)
    assert authorizer.calls == 1  # the policy is cached per token for the API's TTL
    clock.now += 301
    call(gateway, "GET", "/local/me", Authorization=token)
    assert authorizer.calls == 2


@pytest.mark.parametrize("forgery", FORGERIES.values(), ids=FORGERIES.keys())
def test_a_forged_token_is_refused_at_the_edge(handler: LambdaAdapter, forgery: Any) -> None:
    gateway = web(handler, CountingAuthorizer(), Clock())
    status, headers, body = call(gateway, "GET", "/local/me", Authorization=f"Bearer {forgery(ISSUER)}")
    assert status == 401
    assert headers["content-type"] == "application/problem+json"
    assert headers["www-authenticate"].startswith("Bearer")
    assert body["status"] == 401


def test_a_failing_authorizer_is_a_503_problem_as_the_module_maps_authorizer_failure(
    handler: LambdaAdapter,
) -> None:
    def failing(event: dict[str, Any], context: Any) -> Any:
        raise IdentityUnavailable("the JWKS cannot be read")

    api = Api(
        id="webapi0002",
        stage="local",
        invoke_url="",
        authorizer=True,
        authorizer_ttl=300,
        api_key_required=False,
    )
    edge = Edge(api, region="eu-west-1", account_id=ACCOUNT_ID, authorizer=failing, clock=Clock())
    gateway = Gateway(edge, handler, FUNCTION, "eu-west-1")
    status, headers, body = call(gateway, "GET", "/local/me", Authorization=f"Bearer {genuine(ISSUER)}")
    assert (status, headers["content-type"], body["type"]) == (
        503,
        "application/problem+json",
        "urn:foyer:problem:identity-unavailable",
    )
    assert headers["retry-after"] == "5"


def test_no_token_is_refused_without_calling_the_authorizer(handler: LambdaAdapter) -> None:
    authorizer = CountingAuthorizer()
    status, headers, _ = call(web(handler, authorizer, Clock()), "GET", "/local/me")
    assert (status, headers["www-authenticate"], authorizer.calls) == (401, 'Bearer realm="foyer"', 0)


def test_a_partner_key_reaches_the_bff_with_its_key_id_and_query_and_body(handler: LambdaAdapter) -> None:
    gateway = partner(handler, Clock())
    status, _, body = call(gateway, "GET", "/local/partner/orders?limit=3", **{"x-api-key": "secret"})
    assert (status, body) == (200, {"partner_id": "acme", "limit": 3})
    status, _, body = call(
        gateway, "POST", "/local/partner/orders", b'{"sku": "COF-001"}',
        **{"x-api-key": "secret", "Content-Type": "application/json"},
    )  # fmt: skip
    assert (status, body) == (200, {"partner_id": "acme", "body": {"sku": "COF-001"}})


@pytest.mark.parametrize("headers", [{}, {"x-api-key": "guessed"}], ids=["no key", "unknown key"])
def test_no_or_an_unknown_key_is_403(handler: LambdaAdapter, headers: dict[str, str]) -> None:
    status, headers_out, body = call(partner(handler, Clock()), "GET", "/local/partner/orders", **headers)
    assert (status, headers_out["content-type"], body["status"]) == (403, "application/problem+json", 403)


def test_a_burst_over_the_plan_gets_429_with_retry_after_and_the_quota_runs_out(
    handler: LambdaAdapter,
) -> None:
    clock = Clock()
    gateway = partner(handler, clock)
    key = {"x-api-key": "secret"}
    assert [call(gateway, "GET", "/local/partner/orders", **key)[0] for _ in range(3)] == [200, 200, 429]
    status, headers, body = call(gateway, "GET", "/local/partner/orders", **key)
    assert (status, headers["retry-after"], body["limit"]) == (429, "1", "rate")
    clock.now += 10  # the bucket refills; one request of the quota of 3 is left
    assert call(gateway, "GET", "/local/partner/orders", **key)[0] == 200
    status, headers, body = call(gateway, "GET", "/local/partner/orders", **key)
    assert (status, body["limit"]) == (429, "quota")
    assert headers["retry-after"] == str(86_400 - 1_010)  # the clock's 00:16:50 UTC to midnight


def test_a_path_outside_the_stage_is_404(handler: LambdaAdapter) -> None:
    status, _, body = call(partner(handler, Clock()), "GET", "/partner/orders", **{"x-api-key": "secret"})
    assert (status, body["status"]) == (404, 404)


@pytest.mark.parametrize("host", ["a:b:c", "x:notaport", "[::1]:8080", "evil host"])
def test_a_host_api_gateway_would_not_route_is_a_400_problem(handler: LambdaAdapter, host: str) -> None:
    gateway = partner(handler, Clock())
    status, headers, body = call(
        gateway, "GET", "/local/partner/orders", Host=host, **{"X-Api-Key": "secret"}
    )
    assert (status, headers["content-type"], body["status"]) == (400, "application/problem+json", 400)


def test_the_forwarded_port_and_proto_are_the_gateways_not_the_clients(handler: LambdaAdapter) -> None:
    gateway = partner(handler, Clock())
    forged = {"X-Api-Key": "secret", "X-Forwarded-Port": "notaport", "X-Forwarded-Proto": "gopher"}
    status, _, body = call(gateway, "GET", "/local/partner/orders?limit=3", Host="localhost", **forged)
    assert (status, body) == (200, {"partner_id": "acme", "limit": 3})
