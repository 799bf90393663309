"""The local gateway (Lambda mode) in process, driven by a REST API created in the emulator: resource
and method selection as API Gateway selects them, the authorizer only where a method is CUSTOM (its
answer cached per token, never past the token's `exp`), the API key only where a method requires one,
and the gateway's own answers rendered from the gateway responses the API declares; then the same
gateway under uvicorn, over real sockets."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import uvicorn
from fastapi import APIRouter, Request

from bff.authorizer.handler import Authorizer
from devtools.devstack import restapi
from devtools.devstack.apigateway import ACCOUNT_ID
from devtools.devstack.edge import Edge, token_expiry
from devtools.devstack.emulator import Emulator, free_port
from devtools.devstack.gateway import Gateway, GatewayApp, uvicorn_config
from devtools.devstack.issuer import LocalIssuer
from devtools.devstack.lambda_context import LambdaFunction
from foyer.app import create_app
from foyer.identity.dependencies import (
    CurrentPartner,
    CurrentUser,
    ExpiryCheck,
    get_expiry_check,
    get_partners,
)
from foyer.identity.partners import PartnerKey
from foyer.identity.plans import UsageMeter, UsagePlan
from foyer.identity.principals import Partner
from foyer.identity.problems import PROBLEMS
from foyer.identity.tokens import Jwks, TokenVerifier
from foyer.lambda_glue import LambdaAdapter, make_handler
from tests.forged_tokens import NOW, genuine
from tests.forged_tokens import now as forged_now
from tests.raw_http import send_raw

ISSUER = LocalIssuer.generate("key-1")
ACME = Partner("acme", "bronze", "k-acme")
FUNCTION = LambdaFunction(
    "foyer-test-bff", "arn:aws:lambda:eu-west-1:123456789012:function:foyer-test-bff", 30
)
AUTHORIZER_URI = (
    "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:eu-west-1:123456789012:function:auth/invocations"
)
PROBLEM = (
    '{"type":"about:blank","title":"%s","status":%d,'
    '"detail":$context.error.messageString,"request_id":"$context.requestId"}'
)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


class Keys:
    def lookup(self, value: str) -> PartnerKey | None:
        return PartnerKey(ACME, UsagePlan("bronze", rate=1, burst=2, quota=3)) if value == "secret" else None


class CountingAuthorizer:
    """The real authorizer over a verifier on the test's clock, counting its invocations."""

    def __init__(self, clock: Clock) -> None:
        verifier = TokenVerifier(
            Jwks("memory://", fetch=lambda url: ISSUER.jwks()),
            issuer=ISSUER.issuer,
            audience=ISSUER.audience,
            now=clock,
        )
        self.authorizer = Authorizer(verifier)
        self.calls = 0

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.calls += 1
        return self.authorizer(event, context)


def _client(emulator: Emulator) -> Any:
    return boto3.client(
        "apigateway",
        endpoint_url=emulator.endpoint,
        region_name="eu-west-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def create_api(emulator: Emulator, *, responses: bool = True, ttl: int = 300) -> restapi.RestApi:
    """A REST API shaped like a BFF's: public routes, a CUSTOM `{proxy+}`, a keyed partner branch."""
    client = _client(emulator)
    api_id = client.create_rest_api(name=f"gw-{time.monotonic_ns()}")["id"]
    root = next(r["id"] for r in client.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    authorizer = client.create_authorizer(
        restApiId=api_id,
        name="jwt",
        type="TOKEN",
        authorizerUri=AUTHORIZER_URI,
        identitySource="method.request.header.Authorization",
        authorizerResultTtlInSeconds=ttl,
    )["id"]

    def resource(parent: str, part: str) -> str:
        return str(client.create_resource(restApiId=api_id, parentId=parent, pathPart=part)["id"])

    def method(resource_id: str, verb: str, auth: str = "NONE", key: bool = False) -> None:
        extra = {"authorizerId": authorizer} if auth == "CUSTOM" else {}
        client.put_method(
            restApiId=api_id,
            resourceId=resource_id,
            httpMethod=verb,
            authorizationType=auth,
            apiKeyRequired=key,
            **extra,
        )
        client.put_integration(
            restApiId=api_id,
            resourceId=resource_id,
            httpMethod=verb,
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri="arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/x/invocations",
        )

    method(root, "ANY", "CUSTOM")
    method(resource(root, "health"), "GET")
    products = resource(root, "products")
    method(products, "GET")
    method(resource(products, "{sku}"), "GET")
    proxy = resource(root, "{proxy+}")
    method(proxy, "ANY", "CUSTOM")
    method(proxy, "OPTIONS")
    preflight = resource(root, "preflight")
    client.put_method(restApiId=api_id, resourceId=preflight, httpMethod="OPTIONS", authorizationType="NONE")
    client.put_integration(
        restApiId=api_id,
        resourceId=preflight,
        httpMethod="OPTIONS",
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 204}'},
    )
    client.put_method_response(restApiId=api_id, resourceId=preflight, httpMethod="OPTIONS", statusCode="204")
    client.put_integration_response(
        restApiId=api_id,
        resourceId=preflight,
        httpMethod="OPTIONS",
        statusCode="204",
        responseParameters={
            "method.response.header.Access-Control-Allow-Origin": "method.request.header.Origin",
            "method.response.header.Access-Control-Allow-Methods": "'GET,POST'",
        },
    )
    partner = resource(root, "partner")
    method(resource(partner, "{proxy+}"), "ANY", key=True)
    if responses:
        for kind, status, title in [
            ("UNAUTHORIZED", 401, "Unauthorized"),
            ("MISSING_AUTHENTICATION_TOKEN", 404, "Not Found"),
            ("INVALID_API_KEY", 403, "Forbidden"),
            ("THROTTLED", 429, "Too Many Requests"),
            ("DEFAULT_4XX", None, "Bad Request"),
        ]:
            client.put_gateway_response(
                restApiId=api_id,
                responseType=kind,
                **({"statusCode": str(status)} if status else {}),
                responseParameters={
                    "gatewayresponse.header.Content-Type": "'application/problem+json'",
                    "gatewayresponse.header.Access-Control-Allow-Origin": "method.request.header.Origin",
                },
                responseTemplates={"application/json": PROBLEM % (title, status or 400)},
            )
    deployment = client.create_deployment(restApiId=api_id)["id"]
    client.create_stage(restApiId=api_id, stageName="local", deploymentId=deployment)
    return restapi.read(client, api_id, "local")


@pytest.fixture(scope="module")
def handler() -> Iterator[LambdaAdapter]:
    router = APIRouter()

    @router.get("/me")
    async def me(user: CurrentUser, request: Request) -> dict[str, Any]:
        event = request.scope["aws.event"]
        return {"user_id": user.user_id, "resource": event["resource"], "path": request.url.path}

    @router.get("/health")
    @router.get("/products/{sku}")
    async def public(request: Request) -> dict[str, Any]:
        event = request.scope["aws.event"]
        return {"resource": event["resource"], "parameters": event["pathParameters"]}

    @router.get("/partner/orders")
    async def orders(partner: CurrentPartner, limit: int = 10) -> dict[str, Any]:
        return {"partner_id": partner.partner_id, "limit": limit}

    @router.post("/partner/orders")
    async def place(partner: CurrentPartner, request: Request) -> dict[str, Any]:
        return {"partner_id": partner.partner_id, "body": await request.json()}

    app = create_app("gatewaytest", title="Gateway test", routers=[router], problems=PROBLEMS)
    app.dependency_overrides[get_partners] = lambda: {"k-acme": ACME}
    # The BFF checks the authorizer's `exp` on the tokens' clock, not the wall's (they expire in 2027).
    app.dependency_overrides[get_expiry_check] = lambda: ExpiryCheck(leeway_s=30, now=forged_now)
    adapter = make_handler(app)
    yield adapter
    adapter.shutdown()


@pytest.fixture(scope="module")
def api(emulator: Emulator) -> restapi.RestApi:
    return create_api(emulator)


def gateway_of(api: restapi.RestApi, handler: LambdaAdapter, clock: Clock, authorizer: Any = None) -> Gateway:
    authorizers = {next(iter(api.authorizers)): authorizer or CountingAuthorizer(clock)}
    edge = Edge(
        api,
        region="eu-west-1",
        account_id=ACCOUNT_ID,
        authorizers=authorizers,
        keys=Keys(),
        meter=UsageMeter(clock),
        clock=clock,
    )
    return Gateway(edge, handler, FUNCTION, "eu-west-1")


def call(
    gateway: Gateway, method: str, target: str, body: bytes = b"", **headers: str
) -> tuple[int, dict[str, str], Any]:
    status, answer_headers, payload = gateway.serve(method, target, headers, body, "127.0.0.1")
    return status, {k.lower(): v for k, v in answer_headers.items()}, json.loads(payload) if payload else None


@pytest.mark.parametrize(
    ("method", "path", "resource", "parameters"),
    [
        ("GET", "/", "/", {}),
        ("GET", "/health", "/health", {}),
        ("GET", "/products", "/products", {}),
        ("GET", "/products/COF-1", "/products/{sku}", {"sku": "COF-1"}),
        ("GET", "/products/COF-1/reviews", "/{proxy+}", {"proxy": "products/COF-1/reviews"}),
        ("GET", "/me/orders", "/{proxy+}", {"proxy": "me/orders"}),
        ("OPTIONS", "/me/orders", "/{proxy+}", {"proxy": "me/orders"}),
        ("GET", "/partner/orders", "/partner/{proxy+}", {"proxy": "orders"}),
        ("POST", "/health", None, None),  # the resource has no POST and no ANY: not a less specific one
        ("POST", "/products/COF-1", None, None),
        ("GET", "/partner", None, None),  # /partner exists without methods
        ("TRACE", "/me", None, None),  # ANY is API Gateway's seven methods, not TRACE
        ("FOO", "/me", None, None),
    ],
)
def test_a_request_selects_the_resource_and_method_api_gateway_selects(
    api: restapi.RestApi, method: str, path: str, resource: str | None, parameters: dict[str, str] | None
) -> None:
    route = api.route(method, path)
    found = (route.resource.path, route.path_parameters) if route else (None, None)
    assert found == (resource, parameters)
    if route is not None:
        assert route.method.http_method in {method, "ANY"}


def test_a_method_of_its_own_beats_any_on_the_same_resource(api: restapi.RestApi) -> None:
    route = api.route("OPTIONS", "/me")
    assert route is not None
    assert (route.method.http_method, route.method.authorization_type) == ("OPTIONS", "NONE")
    assert api.route("GET", "/me").method.authorization_type == "CUSTOM"  # type: ignore[union-attr]


def test_public_methods_run_no_authorizer_and_protected_ones_do(
    api: restapi.RestApi, handler: LambdaAdapter
) -> None:
    clock = Clock()
    authorizer = CountingAuthorizer(clock)
    gateway = gateway_of(api, handler, clock, authorizer)
    status, _, body = call(gateway, "GET", "/local/products/COF-1")
    assert (status, body) == (200, {"resource": "/products/{sku}", "parameters": {"sku": "COF-1"}})
    assert call(gateway, "GET", "/local/health")[0] == 200
    assert authorizer.calls == 0
    status, headers, body = call(gateway, "GET", "/local/me", Origin="https://shop.example")
    assert (status, headers["content-type"], body["detail"]) == (
        401,
        "application/problem+json",
        "Unauthorized",
    )
    assert headers["access-control-allow-origin"] == "https://shop.example"  # from the declared response
    assert body["request_id"] == headers["x-amzn-requestid"]  # $context.requestId substituted
    assert authorizer.calls == 0  # no identity: API Gateway's 401 without calling the authorizer
    status, _, body = call(gateway, "GET", "/local/me", Authorization=f"Bearer {genuine(ISSUER)}")
    assert (status, body) == (200, {"user_id": "ada", "resource": "/{proxy+}", "path": "/local/me"})
    assert authorizer.calls == 1


@pytest.mark.parametrize(
    ("method", "target"), [("POST", "/local/health"), ("TRACE", "/local/me"), ("GET", "/elsewhere/me")]
)
def test_no_route_is_the_declared_missing_authentication_token_response(
    api: restapi.RestApi, handler: LambdaAdapter, method: str, target: str
) -> None:
    status, headers, body = call(gateway_of(api, handler, Clock()), method, target)
    assert (status, headers["content-type"], body["detail"]) == (
        404,
        "application/problem+json",
        "Missing Authentication Token",
    )
    assert headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"


def test_an_api_declaring_no_responses_answers_with_aws_defaults(
    emulator: Emulator, handler: LambdaAdapter
) -> None:
    gateway = gateway_of(create_api(emulator, responses=False), handler, Clock())
    status, headers, body = call(gateway, "GET", "/local/nowhere/at/all")
    assert (status, headers["content-type"], body) == (401, "application/json", {"message": "Unauthorized"})
    status, headers, body = call(gateway, "DELETE", "/local/health")
    assert (status, headers["content-type"], body) == (
        403,
        "application/json",
        {"message": "Missing Authentication Token"},
    )
    status, _, body = call(gateway, "GET", "/local/partner/orders")
    assert (status, body) == (403, {"message": "Forbidden"})


def test_the_api_key_is_checked_only_where_the_method_requires_it(
    api: restapi.RestApi, handler: LambdaAdapter
) -> None:
    clock = Clock()
    gateway = gateway_of(api, handler, clock)
    status, _, body = call(gateway, "GET", "/local/partner/orders?limit=3")
    assert (status, body["title"], body["detail"]) == (403, "Forbidden", "Forbidden")
    status, _, body = call(gateway, "GET", "/local/partner/orders?limit=3", **{"x-api-key": "secret"})
    assert (status, body) == (200, {"partner_id": "acme", "limit": 3})
    status, _, body = call(
        gateway, "POST", "/local/partner/orders", b'{"sku": "COF-001"}',
        **{"x-api-key": "secret", "Content-Type": "application/json"},
    )  # fmt: skip
    assert (status, body) == (200, {"partner_id": "acme", "body": {"sku": "COF-001"}})
    status, _headers, body = call(gateway, "GET", "/local/partner/orders", **{"x-api-key": "secret"})
    assert (status, body["detail"]) == (429, "Too Many Requests")  # bronze's burst of 2 is spent
    assert call(gateway, "GET", "/local/health")[0] == 200  # no key needed: the meter is not asked


def test_the_authorizer_cache_never_outlives_the_tokens_exp(
    emulator: Emulator, handler: LambdaAdapter
) -> None:
    clock = Clock()
    authorizer = CountingAuthorizer(clock)
    gateway = gateway_of(create_api(emulator, ttl=3600), handler, clock, authorizer)
    token = f"Bearer {genuine(ISSUER)}"  # exp: NOW + 600
    assert call(gateway, "GET", "/local/me", Authorization=token)[0] == 200
    clock.now += 599
    assert call(gateway, "GET", "/local/me", Authorization=token)[0] == 200
    assert authorizer.calls == 1  # cached within the TTL and before exp
    clock.now += 120  # past exp and the verifier's leeway, well within the TTL of 3600 s
    status, _, body = call(gateway, "GET", "/local/me", Authorization=token)
    assert (status, body["status"], authorizer.calls) == (401, 401, 2)


def test_the_cached_policy_is_evaluated_against_each_methods_arn(
    api: restapi.RestApi, handler: LambdaAdapter
) -> None:
    calls: list[str] = []

    def only_get(event: dict[str, Any], context: Any) -> dict[str, Any]:
        calls.append(event["methodArn"])
        statement = {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}
        return {
            "principalId": "ada",
            "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
            "context": {"user_id": "ada", "exp": str(int(NOW) + 600)},  # as the real authorizer answers
        }

    gateway = gateway_of(api, handler, Clock(), only_get)
    assert call(gateway, "GET", "/local/me", Authorization="Bearer t")[0] == 200
    status, headers, _ = call(gateway, "GET", "/local/me/orders", Authorization="Bearer t")
    assert (status, headers["x-amzn-errortype"], len(calls)) == (403, "AccessDeniedException", 1)


@pytest.mark.parametrize(
    ("policy", "token", "expected"),
    [
        ({"context": {"exp": 1234}}, "Bearer x.y.z", 1234.0),
        ({}, "Bearer a." + base64.urlsafe_b64encode(b'{"exp": 99}').decode().rstrip("=") + ".sig", 99.0),
        ({}, "Bearer not-a-jwt", None),
        ({}, "Bearer a.!!!.c", None),
    ],
)
def test_token_expiry_comes_from_the_context_else_the_unverified_claim(
    policy: dict[str, Any], token: str, expected: float | None
) -> None:
    assert token_expiry(policy, token) == expected


def test_a_validation_expression_refuses_without_calling_the_authorizer(
    api: restapi.RestApi, handler: LambdaAdapter
) -> None:
    authorizer_id = next(iter(api.authorizers))
    strict = restapi.Authorizer(
        authorizer_id, "TOKEN", AUTHORIZER_URI, validation_expression=r"Bearer [\w.-]+"
    )
    clock = Clock()
    counting = CountingAuthorizer(clock)
    gateway = gateway_of(
        restapi.RestApi(api.id, api.stage, api.resources, {authorizer_id: strict}, responses=api.responses),
        handler,
        clock,
        counting,
    )
    assert call(gateway, "GET", "/local/me", Authorization="Basic YWRhOnB3")[0] == 401
    assert counting.calls == 0


# --- the gateway under uvicorn, over real sockets --------------------------------------------------


@pytest.fixture(scope="module")
def served(api: restapi.RestApi, handler: LambdaAdapter) -> Iterator[tuple[str, int]]:
    server = uvicorn.Server(uvicorn_config(GatewayApp(gateway_of(api, handler, Clock())), free_port()))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield "127.0.0.1", server.config.port
    server.should_exit = True
    thread.join(timeout=10)


def test_a_chunked_body_reaches_the_bff_and_the_connection_serves_the_next_request(
    served: tuple[str, int],
) -> None:
    body = b'{"sku": "COF-001"}'
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    head = (
        b"POST /local/partner/orders HTTP/1.1\r\nHost: x\r\nx-api-key: secret\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    second = b"GET /local/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    answer = send_raw(served, head + chunked + second)
    assert answer.count(b"HTTP/1.1 200") == 2
    assert b'"body":{"sku":"COF-001"}' in answer


def test_a_mock_integration_is_answered_by_the_gateway_itself(
    api: restapi.RestApi, handler: LambdaAdapter
) -> None:
    status, headers, body = call(
        gateway_of(api, handler, Clock()), "OPTIONS", "/local/preflight", Origin="https://shop.example"
    )
    assert (status, body) == (204, None)
    assert headers["access-control-allow-origin"] == "https://shop.example"
    assert headers["access-control-allow-methods"] == "GET,POST"


def test_the_stages_method_throttling_applies_to_every_caller(
    emulator: Emulator, handler: LambdaAdapter
) -> None:
    api = create_api(emulator)
    _client(emulator).update_stage(
        restApiId=api.id,
        stageName="local",
        patchOperations=[
            {"op": "replace", "path": "/~1health/GET/throttling/rateLimit", "value": "1"},
            {"op": "replace", "path": "/~1health/GET/throttling/burstLimit", "value": "2"},
        ],
    )
    clock = Clock()
    gateway = gateway_of(restapi.read(_client(emulator), api.id, "local"), handler, clock)
    assert [call(gateway, "GET", "/local/health")[0] for _ in range(3)] == [200, 200, 429]
    assert call(gateway, "GET", "/local/products/COF-1")[0] == 200  # another method: its own limit
    clock.now += 1
    assert call(gateway, "GET", "/local/health")[0] == 200


def test_a_validator_requiring_a_header_refuses_its_absence_before_the_authorizer(
    api: restapi.RestApi, handler: LambdaAdapter
) -> None:
    health = next(r for r in api.resources if r.path == "/health")
    strict = restapi.Method(
        "GET",
        request_validator_id="v1",
        request_parameters={"method.request.header.X-Request-Id": True},
    )
    resources = tuple(
        r if r is not health else restapi.Resource(r.id, r.path, {"GET": strict}) for r in api.resources
    )
    validators = {"v1": restapi.Validator(validate_parameters=True, validate_body=False)}
    checked = restapi.RestApi(api.id, api.stage, resources, api.authorizers, validators, api.responses)
    gateway = gateway_of(checked, handler, Clock())
    status, _, body = call(gateway, "GET", "/local/health")
    assert (status, body["detail"]) == (400, "Missing required request parameters: [X-Request-Id]")
    assert call(gateway, "GET", "/local/health", **{"X-Request-Id": "r-1"})[0] == 200
