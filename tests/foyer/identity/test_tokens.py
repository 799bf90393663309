"""The shared RS256 verifier: genuine tokens pass, every forgery in the table is refused, the JWKS is
cached and refetched only for an unknown kid, at most once per interval."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from foyer.devstack.issuer import LocalIssuer
from foyer.identity import IdentityUnavailable, Unauthenticated
from foyer.identity.tokens import Jwks, TokenVerifier, fetch_jwks
from tests.forged_tokens import FORGERIES, NOW, genuine, now

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
