"""RS256 JWT verification against an issuer's JWKS: the one implementation the authorizer Lambda and
the local `current_user` dependency share.

joserfc (RFC-by-RFC JOSE, already locked as moto's) does the signature and claim checks; this module
decides what is acceptable before it gets there: exactly RS256 (no `none`, no HS256 signed with the
public key as the secret), a `kid` the JWKS holds, then `iss`, `aud`, `sub` and `exp` required and
`exp`/`nbf` checked with a small leeway. joserfc rather than PyJWT: both cost about the same to
import (mostly cryptography.x509), and joserfc was already in the lock.

The issuer's keys come from foyer.identity.jwks (fetched, cached, bounded). Nothing here imports
FastAPI: the authorizer uses it alone.
"""

from __future__ import annotations

import base64
import json
import math
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError, MissingClaimError

from foyer.identity.base import VerifiedToken
from foyer.identity.exceptions import Unauthenticated
from foyer.identity.issuer import DEFAULT_LEEWAY_S
from foyer.identity.jwks import Jwks, fetch_jwks

__all__ = ["ALGORITHM", "Jwks", "TokenVerifier", "expiry", "fetch_jwks"]

ALGORITHM = "RS256"
# Bounds on what is parsed before any signature is checked: a token of a real issuer is a few KB at
# most (claims included), its header a few hundred bytes (a few KB with an `x5c` chain), a `kid` and a
# `sub` short strings.
MAX_TOKEN_CHARS = 8 * 1024
MAX_HEADER_CHARS = 4 * 1024
MAX_KID_CHARS = 256
MAX_SUBJECT_CHARS = 1024
# A compact JWS: three base64url segments (RFC 7515 section 7.1), the signature non-empty for RS256.
_COMPACT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
# What parsing input nobody has signed yet can raise: the JSON and base64 decoders' errors (ValueError
# covers binascii.Error, UnicodeDecodeError and JSONDecodeError), a nesting deeper than the decoder's
# recursion limit, and joserfc's own.
_MALFORMED = (JoseError, ValueError, TypeError, LookupError, RecursionError, OverflowError)

# Every refusal's detail is one of these fixed ASCII sentences: a token's content is never echoed
# (it would land in `WWW-Authenticate`, which carries ASCII only, and in logs).
MALFORMED = "The token is not a well-formed signed JWT."
WRONG_ALGORITHM = f"Only {ALGORITHM} tokens are accepted."
NO_KID = "The token names no signing key ('kid')."
UNKNOWN_KEY = "The token is signed with a key the issuer does not publish."
BAD_SIGNATURE = "The token's signature does not verify."
EXPIRED = "The token has expired."
NOT_YET_VALID = "The token is not valid yet."
BAD_SUBJECT = "The token's subject ('sub') is not a user id."
_CLAIM_DETAILS = {
    "iss": "The token's issuer ('iss') is not accepted.",
    "aud": "The token's audience ('aud') is not accepted.",
    "sub": BAD_SUBJECT,
    "exp": "The token's expiry ('exp') is not accepted.",
    "nbf": NOT_YET_VALID,
    "iat": "The token's issue time ('iat') is not accepted.",
    "jti": "The token's id ('jti') is not accepted.",
}
_MISSING_DETAILS = {
    "iss": "The token lacks the 'iss' claim.",
    "aud": "The token lacks the 'aud' claim.",
    "sub": "The token lacks the 'sub' claim.",
    "exp": "The token lacks the 'exp' claim.",
}
CLAIMS_REFUSED = "The token's claims are not accepted."


def _header(token: str) -> dict[str, Any]:
    if len(token) > MAX_TOKEN_CHARS or not _COMPACT.fullmatch(token):
        raise Unauthenticated(MALFORMED)
    encoded = token.partition(".")[0]
    if len(encoded) > MAX_HEADER_CHARS:
        raise Unauthenticated(MALFORMED)
    try:
        header = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except _MALFORMED:
        raise Unauthenticated(MALFORMED) from None
    if not isinstance(header, dict):
        raise Unauthenticated(MALFORMED)
    return header


def expiry(claims: Mapping[str, Any]) -> int:
    """The token's `exp` as whole epoch seconds (rounded down: never later than the token's own)."""
    value = claims["exp"]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Unauthenticated(_CLAIM_DETAILS["exp"])
    return math.floor(value)


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
        if not isinstance(token, str):
            raise Unauthenticated(MALFORMED)
        header = _header(token)
        if header.get("alg") != ALGORITHM:
            raise Unauthenticated(WRONG_ALGORITHM)
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid or len(kid) > MAX_KID_CHARS:
            raise Unauthenticated(NO_KID)
        key = self.jwks.key(kid)  # IdentityUnavailable (503) when the issuer's keys cannot be read
        if key is None:
            raise Unauthenticated(UNKNOWN_KEY)
        try:
            decoded = jwt.decode(token, key, algorithms=[ALGORITHM])
        except _MALFORMED:
            raise Unauthenticated(BAD_SIGNATURE) from None
        self._check_claims(decoded.claims)
        return VerifiedToken(subject=decoded.claims["sub"], claims=decoded.claims)

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
        except _MALFORMED:  # a claim of a type joserfc's checks do not expect
            raise Unauthenticated(CLAIMS_REFUSED) from None
        expiry(claims)
        if not _is_subject(claims.get("sub")):
            raise Unauthenticated(BAD_SUBJECT)


def _is_subject(value: Any) -> bool:
    """Any non-empty string an identity provider may issue (`auth0|...`, an e-mail, non-ASCII), within
    a bound, that UTF-8 can carry (JSON's `\\ud800` escapes a lone surrogate no store can keep)."""
    if not isinstance(value, str) or not 0 < len(value) <= MAX_SUBJECT_CHARS:
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _claim_detail(error: JoseError) -> str:
    if isinstance(error, ExpiredTokenError):
        return EXPIRED
    if isinstance(error, MissingClaimError):
        return _MISSING_DETAILS.get(str(error.claim), CLAIMS_REFUSED)
    if isinstance(error, ClaimError):
        return _CLAIM_DETAILS.get(str(error.claim), CLAIMS_REFUSED)
    return CLAIMS_REFUSED
