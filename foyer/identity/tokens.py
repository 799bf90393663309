"""RS256 JWT verification against an issuer's JWKS: the one implementation the authorizer Lambda and
the local `current_user` dependency share.

joserfc (RFC-by-RFC JOSE, already locked as moto's) does the signature and claim checks; this module
decides what is acceptable before it gets there: exactly RS256 (no `none`, no HS256 signed with the
public key as the secret), a `kid` the JWKS holds, then `iss`, `aud`, `sub` and `exp` required and
`exp`/`nbf` checked with a small leeway. Import cost, python -X importtime, 3 runs: `joserfc.jwt`
108-129 ms, PyJWT's `jwt` 95-125 ms; both are mostly cryptography.x509, so the lock decided.

Nothing here imports FastAPI: the authorizer uses it alone.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError, MissingClaimError
from joserfc.jwk import RSAKey

from foyer.identity.base import VerifiedToken
from foyer.identity.exceptions import Unauthenticated

ALGORITHM = "RS256"
DEFAULT_LEEWAY_S = 30  # clock skew between the issuer and us; RFC 7519 allows "a few minutes"

Fetch = Callable[[str], Mapping[str, Any]]


def fetch_jwks(url: str, *, timeout_s: float = 3.0) -> Mapping[str, Any]:
    """The JWKS document at `url`: `https://` or `http://`, or `file://` for the local issuer's file."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        document = json.loads(Path(parts.path).read_text())
    elif parts.scheme in ("http", "https"):
        # Deferred: urllib.request brings http.client and ssl (~15 ms), paid only by a JWKS fetch.
        from urllib.request import urlopen

        with urlopen(url, timeout=timeout_s) as response:  # noqa: S310 - scheme checked above
            document = json.loads(response.read())
    else:
        raise ValueError(f"a JWKS URL is https://, http:// or file://, not {url!r}")
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError(f"{url} is not a JWKS document (no 'keys' list)")
    return document


class Jwks:
    """An issuer's RSA signing keys by `kid`, fetched on first use and cached.

    Kept for `max_age_s`; a token naming a `kid` the cache lacks triggers one refetch (the issuer may
    have rotated), at most once per `min_refresh_s`, so a flood of made-up kids cannot turn into a
    flood of fetches.
    """

    def __init__(
        self,
        url: str,
        *,
        fetch: Fetch = fetch_jwks,
        max_age_s: float = 300.0,
        min_refresh_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self._fetch = fetch
        self._max_age_s = max_age_s
        self._min_refresh_s = min_refresh_s
        self._clock = clock
        self._keys: dict[str, RSAKey] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def key(self, kid: str) -> RSAKey | None:
        """The RSA key published under `kid`, or None when the issuer does not publish one."""
        with self._lock:
            now = self._clock()
            stale = self._fetched_at is None or now - self._fetched_at >= self._max_age_s
            may_refresh = self._fetched_at is None or now - self._fetched_at >= self._min_refresh_s
            if stale or (kid not in self._keys and may_refresh):
                self._keys = self._load()
                self._fetched_at = now
            return self._keys.get(kid)

    def _load(self) -> dict[str, RSAKey]:
        keys: dict[str, RSAKey] = {}
        for data in self._fetch(self.url)["keys"]:
            if not isinstance(data, dict) or data.get("kty") != "RSA" or "kid" not in data:
                continue  # other key types are not ours to use: RS256 only
            if data.get("use", "sig") != "sig":
                continue
            public = {name: data[name] for name in ("kty", "n", "e", "kid") if name in data}
            keys[str(data["kid"])] = RSAKey.import_key(public)
        return keys


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
        """The token's subject and claims; Unauthenticated (its detail safe to show) if anything is off."""
        header = _header(token)
        if header.get("alg") != ALGORITHM:
            raise Unauthenticated(f"Only {ALGORITHM} tokens are accepted, not {header.get('alg')!r}.")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated("The token names no signing key ('kid').")
        try:
            key = self.jwks.key(kid)
        except (OSError, ValueError) as error:
            # The issuer's keys cannot be read: the caller may be fine, but nothing can vouch for them.
            reason = type(error).__name__
            raise Unauthenticated(f"The issuer's signing keys cannot be read ({reason}).") from None
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
