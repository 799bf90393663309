"""The local token issuer: an RSA signing key kept under `.local/issuer/`, its public JWKS beside it,
and tokens minted for the demo user (`python -m devtools.cli.token`).

Dev-only: in AWS the issuer is an identity provider (Cognito, Auth0, ...) and only its JWKS URL is
configured. The key survives restarts of `make dev`, so a token minted earlier keeps verifying.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

ISSUER = "https://issuer.foyer.local"
AUDIENCE = "foyer-bff"
DEMO_USER = "ada"
KEY_FILE = "signing-key.json"
JWKS_FILE = "jwks.json"


@dataclass(frozen=True)
class LocalIssuer:
    """Signs RS256 tokens as `issuer` for `audience` with `key` (a private RSA JWK with a `kid`)."""

    key: RSAKey
    issuer: str = ISSUER
    audience: str = AUDIENCE

    @property
    def kid(self) -> str:
        return str(self.key.kid)

    @classmethod
    def generate(cls, kid: str | None = None, **names: str) -> LocalIssuer:
        """A new issuer with a fresh 2048-bit key."""
        return cls(RSAKey.generate_key(2048, parameters={"kid": kid or uuid.uuid4().hex[:16]}), **names)

    @classmethod
    def ensure(cls, directory: Path) -> LocalIssuer:
        """The issuer whose key is kept in `directory`, created (with its JWKS file) on first use."""
        key_file = directory / KEY_FILE
        if key_file.exists():
            issuer = cls(RSAKey.import_key(json.loads(key_file.read_text())))
        else:
            issuer = cls.generate()
            directory.mkdir(parents=True, exist_ok=True)
            key_file.touch(mode=0o600)
            key_file.write_text(json.dumps(issuer.key.as_dict(private=True)))
        (directory / JWKS_FILE).write_text(json.dumps(issuer.jwks()))
        return issuer

    def jwks(self) -> dict[str, Any]:
        """The public JWKS document that verifiers fetch."""
        public = self.key.as_dict(private=False)
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def mint(
        self, subject: str = DEMO_USER, *, ttl_s: int = 3600, now: float | None = None, **claims: Any
    ) -> str:
        """A signed token for `subject`, valid for `ttl_s` from `now`; `claims` add to or override the
        standard ones (tests forge tokens this way)."""
        issued = int(time.time() if now is None else now)
        payload = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": issued,
            "nbf": issued,
            "exp": issued + ttl_s,
            "jti": uuid.uuid4().hex,
            **claims,
        }
        return jwt.encode({"alg": "RS256", "kid": self.kid, "typ": "JWT"}, payload, self.key)
