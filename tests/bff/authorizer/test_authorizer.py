"""The authorizer Lambda: genuine tokens get an API-wide Allow with the user in the context; every
forged token in the shared table, and a missing or non-Bearer one, gets API Gateway's 401."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from bff.authorizer.handler import Authorizer, build_verifier
from bff.authorizer.policy import Unauthorized, api_wide
from devtools.devstack.issuer import LocalIssuer
from foyer.identity import IdentityUnavailable
from foyer.identity.issuer import IssuerSettings
from foyer.identity.tokens import Jwks, TokenVerifier
from tests.forged_tokens import FORGERIES, MALFORMED_EXAMPLES, NOW, genuine, malformed_tokens, now

HERE = Path(__file__).parent
REPO = HERE.parents[2]
# What the authorizer's zip does not carry: pydantic and what only it needs, the web stack.
NOT_CARRIED = frozenset(
    {"pydantic", "pydantic_core", "pydantic_settings", "annotated_types", "typing_inspection",
     "typing_extensions", "fastapi", "starlette", "mangum", "httpx"}
)  # fmt: skip
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
    # `exp` as API Gateway hands context values to the integration: a string of epoch seconds.
    assert answer["context"] == {"user_id": "ada", "exp": str(int(NOW) + 600)}
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


@pytest.mark.parametrize("token", MALFORMED_EXAMPLES.values(), ids=MALFORMED_EXAMPLES.keys())
def test_a_malformed_token_is_unauthorized_not_a_failure(token: str) -> None:
    """A failure would be API Gateway's AUTHORIZER_FAILURE: a 503 telling the client to retry."""
    with pytest.raises(Unauthorized, match=r"^Unauthorized$"):
        AUTHORIZER(token_event(token), None)


@settings(max_examples=150, deadline=None)
@given(malformed_tokens())
def test_any_token_shape_is_unauthorized(token: str) -> None:
    with pytest.raises(Unauthorized, match=r"^Unauthorized$"):
        AUTHORIZER(token_event(token), None)


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


def lambda_init(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter importing the handler as Lambda does (the runtime names the function, there
    is no stack file); it prints the top-level packages that the import loaded."""
    code = (
        "import sys, bff.authorizer.handler; print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(REPO),
        "AWS_LAMBDA_FUNCTION_NAME": "foyer-test-authorizer",
        "FOYER_STACK_FILE": str(tmp_path / "absent.json"),
        **variables,
    }
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )


def test_the_authorizer_imports_no_pydantic_nor_web_framework(tmp_path: Path) -> None:
    """Its zip carries neither (devtools.cli.package.CARRIES_ONLY): anything that imports them, directly
    or through a shared foyer module, would fail the packaged authorizer's init."""
    done = lambda_init(
        tmp_path,
        FOYER_JWT_ISSUER=ISSUER.issuer,
        FOYER_JWT_AUDIENCE=ISSUER.audience,
        FOYER_JWKS_URL=(tmp_path / "jwks.json").as_uri(),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = set(done.stdout.split())
    assert {"bff", "foyer", "joserfc", "cryptography"} <= loaded  # the probe saw the real import
    assert not loaded & NOT_CARRIED


def test_a_missing_or_invalid_setting_fails_the_init_naming_each(tmp_path: Path) -> None:
    done = lambda_init(tmp_path, FOYER_JWT_ISSUER=ISSUER.issuer, FOYER_JWT_LEEWAY_S="900")
    assert done.returncode != 0
    assert "StartupError" in done.stderr
    assert "FOYER_JWT_AUDIENCE: not set; FOYER_JWKS_URL: not set" in done.stderr
    assert "FOYER_JWT_LEEWAY_S: from 0 to 300 seconds, not 900" in done.stderr
    assert "FOYER_JWT_ISSUER" not in done.stderr.splitlines()[-1]  # set and valid: not named


def test_a_jwks_url_it_cannot_fetch_fails_the_init_not_every_request(tmp_path: Path) -> None:
    done = lambda_init(
        tmp_path,
        FOYER_JWT_ISSUER=ISSUER.issuer,
        FOYER_JWT_AUDIENCE=ISSUER.audience,
        FOYER_JWKS_URL="ftp://issuer.example/jwks.json",
    )
    assert done.returncode != 0
    assert "FOYER_JWKS_URL: a URL starting https://, http://, file://" in done.stderr


def test_the_verifier_follows_the_settings() -> None:
    settings = IssuerSettings(ISSUER.issuer, ISSUER.audience, "https://issuer.example/jwks.json", leeway_s=5)
    verifier = build_verifier(settings)
    assert (verifier.issuer, verifier.audience, verifier.leeway_s) == (ISSUER.issuer, ISSUER.audience, 5)
    assert verifier.jwks.url == "https://issuer.example/jwks.json"
