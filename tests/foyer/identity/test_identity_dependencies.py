"""`CurrentUser` and `CurrentPartner` in both places they run: under uvicorn (verifying the token and
metering the key themselves) and behind API Gateway (trusting the authorizer's context and mapping
the key id), every refusal a problem+json with the header the RFCs ask for."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from devtools.devstack.apigateway import rest_event
from devtools.devstack.issuer import LocalIssuer
from foyer.app import create_app
from foyer.identity.dependencies import (
    CurrentPartner,
    CurrentUser,
    ExpiryCheck,
    get_expiry_check,
    get_partner_keys,
    get_partners,
    get_usage_meter,
    get_verifier,
)
from foyer.identity.partners import PartnerKey
from foyer.identity.plans import UsageMeter, UsagePlan
from foyer.identity.principals import Partner
from foyer.identity.problems import PROBLEMS
from foyer.identity.tokens import Jwks, TokenVerifier
from foyer.lambda_glue import LambdaAdapter, make_handler
from tests.forged_tokens import FORGERIES, MALFORMED_EXAMPLES, NOW, expired, genuine, malformed_tokens, now

HERE = Path(__file__).parent
ISSUER = LocalIssuer.generate("key-1")
ACME = Partner(partner_id="acme", tier="bronze", api_key_id="k-acme")
BRONZE = UsagePlan("bronze", rate=1, burst=2, quota=None)


class Keys:
    def __init__(self, keys: dict[str, PartnerKey]) -> None:
        self.keys = keys

    def lookup(self, value: str) -> PartnerKey | None:
        return self.keys.get(value)


class Clock:
    now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def build_app() -> FastAPI:
    router = APIRouter()

    @router.get("/me")
    async def me(user: CurrentUser) -> dict[str, str]:
        return {"user_id": user.user_id}

    @router.get("/partner")
    async def partner(caller: CurrentPartner) -> dict[str, str]:
        return {"partner_id": caller.partner_id, "tier": caller.tier}

    return create_app("identitytest", title="Identity test", routers=[router], problems=PROBLEMS)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(clock: Clock) -> FastAPI:
    app = build_app()
    jwks = Jwks("memory://", fetch=lambda url: ISSUER.jwks())
    verifier = TokenVerifier(jwks, issuer=ISSUER.issuer, audience=ISSUER.audience, now=now)
    meter = UsageMeter(clock)
    app.dependency_overrides[get_verifier] = lambda: verifier
    app.dependency_overrides[get_partner_keys] = lambda: Keys({"secret-acme": PartnerKey(ACME, BRONZE)})
    app.dependency_overrides[get_usage_meter] = lambda: meter
    app.dependency_overrides[get_partners] = lambda: {"k-acme": ACME}
    app.dependency_overrides[get_expiry_check] = lambda: ExpiryCheck(leeway_s=30, now=now)
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def _is_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = cast(dict[str, Any], response.json())
    assert body["status"] == status
    return body


def test_a_genuine_token_names_the_user(client: TestClient) -> None:
    response = client.get("/me", headers={"Authorization": f"Bearer {genuine(ISSUER)}"})
    assert response.status_code == 200
    assert response.json() == {"user_id": "ada"}


def test_no_token_is_401_with_a_bare_bearer_challenge(client: TestClient) -> None:
    response = client.get("/me")
    _is_problem(response, 401)
    assert response.headers["www-authenticate"] == 'Bearer realm="foyer"'


def test_another_scheme_is_401_invalid_request(client: TestClient) -> None:
    response = client.get("/me", headers={"Authorization": "Basic YWRhOnB3"})
    _is_problem(response, 401)
    assert 'error="invalid_request"' in response.headers["www-authenticate"]


@pytest.mark.parametrize("forgery", FORGERIES.values(), ids=FORGERIES.keys())
def test_every_forged_token_is_401_with_invalid_token(
    client: TestClient, forgery: Callable[[LocalIssuer], str]
) -> None:
    response = client.get("/me", headers={"Authorization": f"Bearer {forgery(ISSUER)}"})
    body = _is_problem(response, 401)
    assert body["type"] == "urn:foyer:problem:unauthenticated"
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def assert_bounded_401(response: Any) -> None:
    """A 401 problem whose words are fixed ASCII sentences, within a few hundred bytes of headers."""
    body = _is_problem(response, 401)
    assert body["type"] == "urn:foyer:problem:unauthenticated"
    assert body["detail"].isascii()
    assert len(body["detail"]) <= 100
    challenge = response.headers["www-authenticate"]
    assert challenge.isascii()
    assert len(challenge) <= 200
    assert sum(len(k) + len(v) for k, v in response.headers.items()) < 1024


@pytest.mark.parametrize("token", MALFORMED_EXAMPLES.values(), ids=MALFORMED_EXAMPLES.keys())
def test_a_malformed_token_is_a_bounded_401(client: TestClient, token: str) -> None:
    value = b"Bearer " + token.encode("utf-8", "surrogatepass")  # on the wire, as the client sent it
    assert_bounded_401(client.get("/me", headers={"Authorization": value}))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=malformed_tokens())
def test_any_token_shape_is_a_bounded_401(client: TestClient, token: str) -> None:
    value = b"Bearer " + token.encode("utf-8", "surrogatepass").replace(b"\r", b"").replace(b"\n", b"")
    assert_bounded_401(client.get("/me", headers={"Authorization": value}))


def test_an_unreadable_jwks_is_a_503_problem_not_a_401(app: FastAPI, tmp_path: Path) -> None:
    unreadable = Jwks((tmp_path / "missing.json").as_uri())
    verifier = TokenVerifier(unreadable, issuer=ISSUER.issuer, audience=ISSUER.audience, now=now)
    app.dependency_overrides[get_verifier] = lambda: verifier
    with TestClient(app) as client:
        response = client.get("/me", headers={"Authorization": f"Bearer {genuine(ISSUER)}"})
    body = _is_problem(response, 503)
    assert (body["type"], response.headers["retry-after"]) == ("urn:foyer:problem:identity-unavailable", "30")
    assert str(tmp_path) not in response.text


def test_no_issuer_configured_refuses_every_token(app: FastAPI) -> None:
    app.dependency_overrides[get_verifier] = lambda: None
    with TestClient(app) as client:
        _is_problem(client.get("/me", headers={"Authorization": f"Bearer {genuine(ISSUER)}"}), 401)


def test_a_partner_key_names_the_partner(client: TestClient) -> None:
    response = client.get("/partner", headers={"x-api-key": "secret-acme"})
    assert response.json() == {"partner_id": "acme", "tier": "bronze"}


@pytest.mark.parametrize("headers", [{}, {"x-api-key": "guessed"}], ids=["no key", "unknown key"])
def test_no_or_an_unknown_key_is_403(client: TestClient, headers: dict[str, str]) -> None:
    body = _is_problem(client.get("/partner", headers=headers), 403)
    assert body["type"] == "urn:foyer:problem:api-key-refused"


def test_a_burst_over_the_plan_is_429_with_retry_after(client: TestClient, clock: Clock) -> None:
    key = {"x-api-key": "secret-acme"}
    assert [client.get("/partner", headers=key).status_code for _ in range(2)] == [200, 200]
    refused = client.get("/partner", headers=key)
    body = _is_problem(refused, 429)
    assert refused.headers["retry-after"] == "1"
    assert body["limit"] == "rate"
    clock.now += 1
    assert client.get("/partner", headers=key).status_code == 200


def test_an_exhausted_quota_is_429_until_the_end_of_its_period(app: FastAPI, clock: Clock) -> None:
    weekly = UsagePlan("weekly", rate=None, quota=1, period="WEEK")
    app.dependency_overrides[get_partner_keys] = lambda: Keys({"secret-acme": PartnerKey(ACME, weekly)})
    clock.now = datetime(2026, 11, 29, 23, 0, tzinfo=UTC).timestamp()  # a Sunday, 23:00 UTC
    key = {"x-api-key": "secret-acme"}
    with TestClient(app) as client:
        assert client.get("/partner", headers=key).status_code == 200
        refused = client.get("/partner", headers=key)
        assert (_is_problem(refused, 429)["limit"], refused.headers["retry-after"]) == ("quota", "3600")
        clock.now += 3600  # Monday 00:00: a new week
        assert client.get("/partner", headers=key).status_code == 200


# Behind API Gateway: Mangum's scope carries the event; the edge already decided.


@pytest.fixture
def handler(app: FastAPI) -> Iterator[LambdaAdapter]:
    adapter = make_handler(app)
    yield adapter
    adapter.shutdown()


def _call(handler: LambdaAdapter, path: str, **event: Any) -> dict[str, Any]:
    return handler(rest_event("GET", path, **event), cast(Any, None))


def test_behind_the_gateway_the_authorizer_context_names_the_user(handler: LambdaAdapter) -> None:
    response = _call(
        handler, "/me", authorizer={"principalId": "ada", "user_id": "ada", "exp": str(int(NOW) + 600)}
    )
    assert response["statusCode"] == 200
    assert '"user_id":"ada"' in response["body"]


def authorized_event(exp: Any) -> dict[str, Any]:
    """API Gateway's REST proxy event for `GET /me` behind the Lambda authorizer, whose context
    (`requestContext.authorizer`) carries `exp` (absent when None)."""
    event: dict[str, Any] = json.loads((HERE / "rest_proxy_authorized.json").read_text())
    if exp is None:
        del event["requestContext"]["authorizer"]["exp"]
    else:
        event["requestContext"]["authorizer"]["exp"] = exp
    return event


def _refusal(status: int, headers: dict[str, str], body: dict[str, Any]) -> tuple[Any, ...]:
    """What a client can tell apart in a refusal: status, type, detail, challenge."""
    return (
        status,
        body["type"],
        body["detail"],
        {k.lower(): v for k, v in headers.items()}["www-authenticate"],
    )


def test_an_expired_identity_is_refused_behind_the_gateway_as_under_uvicorn(
    client: TestClient, handler: LambdaAdapter
) -> None:
    """The authorizer's answer is cached for its TTL whatever the token's `exp`: the BFF checks it."""
    direct = client.get("/me", headers={"Authorization": f"Bearer {expired(ISSUER)}"})
    expired_at = str(int(NOW) - 3600 + 600)  # forged_tokens.expired: minted an hour ago for 600 s
    behind = handler(authorized_event(expired_at), cast(Any, None))
    assert _refusal(behind["statusCode"], behind["headers"], json.loads(behind["body"])) == _refusal(
        direct.status_code, dict(direct.headers), direct.json()
    )
    assert behind["statusCode"] == 401
    assert json.loads(behind["body"])["detail"] == "The token has expired."


@pytest.mark.parametrize(
    ("exp", "status"),
    [
        (str(int(NOW) + 600), 200),  # as API Gateway hands context values over: a string
        (int(NOW) + 600, 200),  # as the authorizer returned it, should a gateway keep the number
        (str(int(NOW) - 20), 200),  # within the 30 s leeway the verifier allows too
        (str(int(NOW) - 30), 401),  # at exp + leeway, the verifier refuses
        (None, 401),  # an authorizer that vouches for no expiry
        ("", 401),
        ("soon", 401),
        ("1e12", 401),
        (True, 401),
    ],
)
def test_behind_the_gateway_every_request_checks_the_expiry(
    handler: LambdaAdapter, exp: Any, status: int
) -> None:
    response = handler(authorized_event(exp), cast(Any, None))
    assert response["statusCode"] == status, response["body"]


def test_behind_the_gateway_a_bearer_token_without_an_authorizer_is_refused(handler: LambdaAdapter) -> None:
    response = _call(handler, "/me", headers={"Authorization": f"Bearer {genuine(ISSUER)}"})
    assert response["statusCode"] == 401
    assert "www-authenticate" in {name.lower() for name in response["headers"]}


def test_behind_the_gateway_the_key_id_maps_to_its_partner(handler: LambdaAdapter) -> None:
    response = _call(handler, "/partner", api_key_id="k-acme")
    assert response["statusCode"] == 200, response["body"]
    assert '"partner_id":"acme"' in response["body"]


@pytest.mark.parametrize("key_id", [None, "k-someone-else"])
def test_behind_the_gateway_a_key_id_of_no_partner_is_403(handler: LambdaAdapter, key_id: str | None) -> None:
    assert _call(handler, "/partner", api_key_id=key_id)["statusCode"] == 403


def test_under_uvicorn_a_valid_key_of_no_recorded_partner_is_403(app: FastAPI) -> None:
    # The gateway's part admits the key; the partner BFF's table names nobody for its id.
    app.dependency_overrides[get_partners] = lambda: {}
    with TestClient(app) as client:
        _is_problem(client.get("/partner", headers={"x-api-key": "secret-acme"}), 403)
