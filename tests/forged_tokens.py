"""The forged-token table: tokens a verifier must refuse, each built from a genuine issuer's key.

Used by the tests of the shared verifier (foyer.identity.tokens), the local dependency
(foyer.identity.dependencies) and the authorizer Lambda (bff/authorizer), so all three refuse the
same forgeries.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from foyer.devstack.issuer import LocalIssuer

NOW = 1_800_000_000.0  # the verifier's clock in these tests: fixed, no test depends on wall time


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segments(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"


def claims(issuer: LocalIssuer, **overrides: Any) -> dict[str, Any]:
    base = {
        "iss": issuer.issuer,
        "aud": issuer.audience,
        "sub": "ada",
        "iat": int(NOW),
        "exp": int(NOW) + 600,
    }
    return {**base, **overrides}


def alg_none(issuer: LocalIssuer) -> str:
    return _segments({"alg": "none", "kid": issuer.kid, "typ": "JWT"}, claims(issuer)) + "."


def hs256_with_public_key(issuer: LocalIssuer) -> str:
    """The classic algorithm confusion: HMAC keyed with the public key's PEM, which anyone has."""
    signing_input = _segments({"alg": "HS256", "kid": issuer.kid, "typ": "JWT"}, claims(issuer))
    secret = issuer.key.as_pem(private=False)
    return signing_input + "." + _b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())


def expired(issuer: LocalIssuer) -> str:
    return issuer.mint(now=NOW - 3600, ttl_s=600)  # expired 50 minutes ago: beyond any leeway


def not_yet_valid(issuer: LocalIssuer) -> str:
    return issuer.mint(now=NOW, nbf=int(NOW) + 3600)


def wrong_audience(issuer: LocalIssuer) -> str:
    return issuer.mint(now=NOW, aud="someone-else")


def wrong_issuer(issuer: LocalIssuer) -> str:
    return issuer.mint(now=NOW, iss="https://evil.example")


def unknown_kid(issuer: LocalIssuer) -> str:
    return LocalIssuer.generate("not-published").mint(now=NOW)


def other_key_same_kid(issuer: LocalIssuer) -> str:
    """Signed by a key the issuer never published, under the published key's kid."""
    return LocalIssuer.generate(issuer.kid).mint(now=NOW)


def tampered_payload(issuer: LocalIssuer) -> str:
    header, _, signature = issuer.mint(now=NOW).split(".")
    forged = _b64(json.dumps(claims(issuer, sub="mallory")).encode())
    return f"{header}.{forged}.{signature}"


def no_expiry(issuer: LocalIssuer) -> str:
    token_claims = claims(issuer)
    del token_claims["exp"]
    return _sign(issuer, token_claims)


def _sign(issuer: LocalIssuer, token_claims: dict[str, Any]) -> str:
    from joserfc import jwt

    return jwt.encode({"alg": "RS256", "kid": issuer.kid}, token_claims, issuer.key)


def not_a_jwt(issuer: LocalIssuer) -> str:
    return "not-a-token"


FORGERIES: dict[str, Callable[[LocalIssuer], str]] = {
    "alg none": alg_none,
    "HS256 signed with the public key": hs256_with_public_key,
    "expired": expired,
    "not yet valid": not_yet_valid,
    "wrong audience": wrong_audience,
    "wrong issuer": wrong_issuer,
    "unknown kid": unknown_kid,
    "another key under the published kid": other_key_same_kid,
    "tampered payload": tampered_payload,
    "no expiry": no_expiry,
    "not a JWT": not_a_jwt,
}


def genuine(issuer: LocalIssuer) -> str:
    """A token every verifier must accept at NOW."""
    return issuer.mint(now=NOW, ttl_s=600)


def now() -> float:
    return NOW
