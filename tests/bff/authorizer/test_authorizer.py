"""The authorizer Lambda: genuine tokens get an API-wide Allow with the user in the context; every
forged token in the shared table, and a missing or non-Bearer one, gets API Gateway's 401."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bff.authorizer.handler import Authorizer, build_verifier
from bff.authorizer.policy import Unauthorized, api_wide
from foyer.devstack.issuer import LocalIssuer
from foyer.identity import IdentityUnavailable
from foyer.identity.settings import IdentitySettings
from foyer.identity.tokens import Jwks, TokenVerifier
from tests.forged_tokens import FORGERIES, genuine, now

HERE = Path(__file__).parent
ISSUER = LocalIssuer.generate("key-1")
JWKS = Jwks("memory://", fetch=lambda url: ISSUER.jwks())
AUTHORIZER = Authorizer(TokenVerifier(JWKS, issuer=ISSUER.issuer, audience=ISSUER.audience, now=now))


def token_event(token: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((HERE / "token_event.json").read_text())
    event["authorizationToken"] = f"Bearer {token}"
    return event


def request_event(authorization: str | None) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((HERE / "request_event.json").read_text())
    del event["headers"]["Authorization"]
    if authorization is not None:
        event["headers"]["authorization"] = authorization  # API Gateway keeps the client's case
    return event


@pytest.mark.parametrize(
    "event", [token_event, lambda t: request_event(f"Bearer {t}")], ids=["TOKEN", "REQUEST"]
)
def test_a_genuine_token_is_allowed_api_wide_with_the_user_in_context(event: Callable[[str], Any]) -> None:
    answer = AUTHORIZER(event(genuine(ISSUER)), None)
    assert answer["principalId"] == "ada"
    assert answer["context"] == {"user_id": "ada"}
    (statement,) = answer["policyDocument"]["Statement"]
    assert statement == {
        "Action": "execute-api:Invoke",
        "Effect": "Allow",
        "Resource": "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/*",
    }


@pytest.mark.parametrize("forgery", FORGERIES.values(), ids=FORGERIES.keys())
def test_every_forged_token_is_unauthorized(forgery: Callable[[LocalIssuer], str]) -> None:
    with pytest.raises(Unauthorized, match=r"^Unauthorized$"):
        AUTHORIZER(token_event(forgery(ISSUER)), None)


@pytest.mark.parametrize("authorization", [None, "Basic YWRhOnB3", "Bearer ", "bearer"])
def test_no_bearer_token_is_unauthorized(authorization: str | None) -> None:
    with pytest.raises(Unauthorized):
        AUTHORIZER(request_event(authorization), None)


def test_a_policy_for_another_arn_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="execute-api"):
        api_wide("arn:aws:lambda:eu-west-1:123456789012:function:x")


def test_an_unreadable_jwks_fails_the_authorizer_instead_of_refusing_the_token(tmp_path: Path) -> None:
    """API Gateway answers an authorizer's error with AUTHORIZER_FAILURE (the module's 503 problem)."""
    unreadable = Jwks((tmp_path / "missing.json").as_uri())
    authorizer = Authorizer(
        TokenVerifier(unreadable, issuer=ISSUER.issuer, audience=ISSUER.audience, now=now)
    )
    with pytest.raises(IdentityUnavailable):
        authorizer(token_event(genuine(ISSUER)), None)


def test_a_missing_setting_is_named() -> None:
    settings = IdentitySettings(jwt_issuer="https://issuer", jwt_audience=None, jwks_url=None)
    with pytest.raises(RuntimeError, match="FOYER_JWT_AUDIENCE, FOYER_JWKS_URL"):
        build_verifier(settings)
