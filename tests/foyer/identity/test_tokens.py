"""The shared RS256 verifier: genuine tokens pass, every forgery in the table is refused, the JWKS is
cached and refetched only for an unknown kid, at most once per interval."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from joserfc import jwt

from devtools.devstack.issuer import LocalIssuer
from foyer.identity import IdentityUnavailable, Unauthenticated, tokens
from foyer.identity.tokens import Jwks, TokenVerifier, fetch_jwks
from tests.forged_tokens import FORGERIES, MALFORMED_EXAMPLES, NOW, claims, genuine, malformed_tokens, now

# Every sentence a refusal may say: fixed ASCII, never built from the token.
DETAILS = (
    frozenset(
        value
        for name, value in vars(tokens).items()
        if name.isupper() and isinstance(value, str) and value.endswith(".")
    )
    | frozenset(tokens._CLAIM_DETAILS.values())
    | frozenset(tokens._MISSING_DETAILS.values())
)

ISSUER = LocalIssuer.generate("key-1")


def verifier(issuer: LocalIssuer = ISSUER, leeway_s: int = 30) -> TokenVerifier:
    jwks = Jwks("memory://", fetch=lambda url: issuer.jwks())
    return TokenVerifier(jwks, issuer=issuer.issuer, audience=issuer.audience, leeway_s=leeway_s, now=now)


def test_a_genuine_token_names_its_user() -> None:
    assert verifier().verify(genuine(ISSUER)).subject == "ada"


@pytest.mark.parametrize("forgery", FORGERIES.values(), ids=FORGERIES.keys())
def test_every_forged_token_is_refused(forgery: Callable[[LocalIssuer], str]) -> None:
    with pytest.raises(Unauthenticated) as refused:
        verifier().verify(forgery(ISSUER))
    assert refused.value.error == "invalid_token"
    assert refused.value.detail


def test_expiry_is_checked_with_the_leeway_and_no_more() -> None:
    just_expired = ISSUER.mint(now=NOW - 620, ttl_s=600)  # expired 20 s ago
    assert verifier(leeway_s=30).verify(just_expired).subject == "ada"
    with pytest.raises(Unauthenticated, match="expired"):
        verifier(leeway_s=10).verify(just_expired)


def test_the_jwks_is_fetched_once_and_again_only_for_an_unknown_kid_after_the_interval() -> None:
    fetched: list[str] = []
    clock = [0.0]

    def fetch(url: str) -> dict[str, Any]:
        fetched.append(url)
        return ISSUER.jwks()

    jwks = Jwks("memory://", fetch=fetch, max_age_s=300, min_refresh_s=30, clock=lambda: clock[0])
    assert jwks.key("key-1") is not None
    assert jwks.key("key-1") is not None
    assert jwks.key("made-up") is None  # within 30 s of the fetch: no second fetch
    assert len(fetched) == 1
    clock[0] = 31.0
    assert jwks.key("made-up") is None  # unknown kid after the interval: one refetch (rotation)
    assert jwks.key("made-up-2") is None
    assert len(fetched) == 2
    clock[0] = 400.0
    assert jwks.key("key-1") is not None  # stale: refetched
    assert len(fetched) == 3


def test_an_unreadable_jwks_is_identity_unavailable_never_a_401(tmp_path: Any) -> None:
    jwks = Jwks((tmp_path / "missing.json").as_uri())
    checker = TokenVerifier(jwks, issuer=ISSUER.issuer, audience=ISSUER.audience, now=now)
    with pytest.raises(IdentityUnavailable) as refused:
        checker.verify(genuine(ISSUER))
    assert str(tmp_path) not in str(refused.value)
    assert refused.value.retry_after_s == 30  # when the next fetch may be tried


def test_the_local_issuer_file_verifies_through_a_file_url(tmp_path: Any) -> None:
    issuer = LocalIssuer.ensure(tmp_path)
    assert LocalIssuer.ensure(tmp_path).kid == issuer.kid  # the key survives a restart
    checker = TokenVerifier(
        Jwks((tmp_path / "jwks.json").as_uri()), issuer=issuer.issuer, audience=issuer.audience, now=now
    )
    assert checker.verify(issuer.mint(now=NOW)).subject == "ada"
    assert "d" not in fetch_jwks((tmp_path / "jwks.json").as_uri())["keys"][0]  # no private part


def test_a_jwks_url_of_another_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="https://"):
        fetch_jwks("ftp://example.com/jwks.json")


def assert_refused_with_a_fixed_ascii_detail(token: str) -> None:
    with pytest.raises(Unauthenticated) as refused:
        verifier().verify(token)
    assert refused.value.detail in DETAILS
    assert refused.value.error == "invalid_token"
    challenge = refused.value.challenge
    assert challenge.isascii()
    assert len(challenge) < 300


@pytest.mark.parametrize("token", MALFORMED_EXAMPLES.values(), ids=MALFORMED_EXAMPLES.keys())
def test_a_malformed_token_is_refused_with_a_fixed_ascii_detail(token: str) -> None:
    assert_refused_with_a_fixed_ascii_detail(token)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(malformed_tokens())
def test_any_token_shape_is_refused_with_a_fixed_ascii_detail(token: str) -> None:
    assert_refused_with_a_fixed_ascii_detail(token)


@pytest.mark.parametrize(
    "subject",
    ["auth0|5f7c8ec7c33c6c004bbafe82", "google-oauth2|113741298374523412345", "ada@example.com",
     "Zoë Ångström", "用户-42", "x" * 200, "a b\tc", "1"],
)  # fmt: skip
def test_any_subject_an_identity_provider_issues_is_accepted(subject: str) -> None:
    assert verifier().verify(ISSUER.mint(now=NOW, sub=subject)).subject == subject


class _AsciiJson(json.JSONEncoder):
    """Escapes what is not ASCII (`\\ud800`), as a token may carry what UTF-8 cannot."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**{**options, "ensure_ascii": True})


@pytest.mark.parametrize("subject", ["", "x" * 1025, "\ud800", 42, None, ["ada"]])
def test_a_subject_that_is_no_user_id_is_refused(subject: Any) -> None:
    token = jwt.encode(
        {"alg": "RS256", "kid": ISSUER.kid}, claims(ISSUER, sub=subject), ISSUER.key, encoder_cls=_AsciiJson
    )
    with pytest.raises(Unauthenticated, match=r"subject|'sub'"):
        verifier().verify(token)
