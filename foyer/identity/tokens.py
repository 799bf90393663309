"""RS256 JWT verification against an issuer's JWKS: the one implementation the authorizer Lambda and
the local `current_user` dependency share.

joserfc (RFC-by-RFC JOSE, already locked as moto's) does the signature and claim checks; this module
decides what is acceptable before it gets there: exactly RS256 (no `none`, no HS256 signed with the
public key as the secret), a `kid` the JWKS holds, then `iss`, `aud`, `sub` and `exp` required and
`exp`/`nbf` checked with a small leeway. Import cost, python -X importtime, 3 runs: `joserfc.jwt`
108-129 ms, PyJWT's `jwt` 95-125 ms; both are mostly cryptography.x509, so the lock decided.

The issuer's keys come from foyer.identity.jwks (fetched, cached, bounded). Nothing here imports
FastAPI: the authorizer uses it alone.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable
from typing import Any

from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError, MissingClaimError

from foyer.identity.base import VerifiedToken
from foyer.identity.exceptions import Unauthenticated
from foyer.identity.issuer import DEFAULT_LEEWAY_S
from foyer.identity.jwks import Jwks, fetch_jwks

__all__ = ["ALGORITHM", "Jwks", "TokenVerifier", "fetch_jwks"]

ALGORITHM = "RS256"


def _header(token: str) -> dict[str, Any]:
    segments = token.split(".")
    if len(segments) != 3 or not all(segments[:2]):
        raise Unauthenticated("The token is not a signed JWT (three base64url segments).")
    try:
        raw = base64.urlsafe_b64decode(segments[0] + "=" * (-len(segments[0]) % 4))
        header = json.loads(raw)
    except (binascii.Error, ValueError):
        raise Unauthenticated("The token's header is not base64url-encoded JSON.") from None
    if not isinstance(header, dict):
        raise Unauthenticated("The token's header is not a JSON object.")
    return header


class TokenVerifier:
    """Verifies RS256 JWTs from one issuer for one audience."""

    def __init__(
        self,
        jwks: Jwks,
        *,
        issuer: str,
        audience: str,
        leeway_s: int = DEFAULT_LEEWAY_S,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.jwks = jwks
        self.issuer = issuer
        self.audience = audience
        self.leeway_s = leeway_s
        self._now = now

    def verify(self, token: str) -> VerifiedToken:
        """The token's subject and claims; Unauthenticated (its detail safe to show) if anything is off,
        IdentityUnavailable if the issuer's keys cannot be read."""
        header = _header(token)
        if header.get("alg") != ALGORITHM:
            raise Unauthenticated(f"Only {ALGORITHM} tokens are accepted, not {header.get('alg')!r}.")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated("The token names no signing key ('kid').")
        key = self.jwks.key(kid)  # IdentityUnavailable (503) when the issuer's keys cannot be read
        if key is None:
            raise Unauthenticated("The token is signed with a key the issuer does not publish.")
        try:
            decoded = jwt.decode(token, key, algorithms=[ALGORITHM])
        except JoseError:
            raise Unauthenticated("The token's signature does not verify.") from None
        self._check_claims(decoded.claims)
        return VerifiedToken(subject=str(decoded.claims["sub"]), claims=decoded.claims)

    def _check_claims(self, claims: dict[str, Any]) -> None:
        registry = jwt.JWTClaimsRegistry(
            now=lambda: int(self._now()),
            leeway=self.leeway_s,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.audience},
            sub={"essential": True},
            exp={"essential": True},
        )
        try:
            registry.validate(claims)
        except JoseError as error:
            raise Unauthenticated(_claim_detail(error)) from None
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise Unauthenticated("The token's subject ('sub') is not a user id.")


def _claim_detail(error: JoseError) -> str:
    if isinstance(error, ExpiredTokenError):
        return "The token has expired."
    if isinstance(error, MissingClaimError):
        return f"The token lacks the {error.claim!r} claim."
    if isinstance(error, ClaimError):
        if error.claim == "nbf":
            return "The token is not valid yet."
        return f"The token's {error.claim!r} claim is not accepted."
    return "The token's claims are not accepted."
