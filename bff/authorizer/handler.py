"""The authorizer Lambda: `bff.authorizer.handler.handler`, for TOKEN and REQUEST authorizers.

It verifies the caller's RS256 JWT with the same verifier the BFFs use under uvicorn
(foyer.identity.tokens) against the issuer's JWKS (FOYER_JWKS_URL, cached across invocations) and
answers an Allow policy with the user id and the token's expiry (`exp`) in the context, or
"Unauthorized" (API Gateway's 401, for every token that does not verify, however malformed); when the
issuer's keys cannot be read it fails (API Gateway's AUTHORIZER_FAILURE, a 503 problem).
It imports no web framework: an authorizer's cold start sits in front of its first request. Nor
pydantic: its settings are read by foyer.identity.issuer, and its zip carries only joserfc and
cryptography (devtools.cli.package.CARRIES_ONLY; docs/architecture.md, "Cold start and lean zips").
"""

from __future__ import annotations

import logging
from typing import Any

from bff.authorizer.policy import Unauthorized, allow, bearer_token
from foyer.cold_start import init_phase
from foyer.identity import IdentityUnavailable, Unauthenticated
from foyer.identity.issuer import IssuerSettings, issuer_settings
from foyer.identity.tokens import Jwks, TokenVerifier, expiry
from foyer.startup import in_lambda

log = logging.getLogger("foyer.authorizer")


def build_verifier(settings: IssuerSettings) -> TokenVerifier:
    """The verifier of the tokens `settings` name an issuer and audience for."""
    return TokenVerifier(
        Jwks(settings.jwks_url),
        issuer=settings.issuer,
        audience=settings.audience,
        leeway_s=settings.leeway_s,
    )


class Authorizer:
    """Verifies the event's bearer token; the verifier is built on first use and kept."""

    def __init__(self, verifier: TokenVerifier | None = None) -> None:
        self._verifier = verifier

    @property
    def verifier(self) -> TokenVerifier:
        if self._verifier is None:
            self._verifier = build_verifier(issuer_settings())
        return self._verifier

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        """An Allow policy for the token's user, or Unauthorized (API Gateway answers 401)."""
        token = bearer_token(event)
        if token is None:
            raise Unauthorized
        try:
            verified = self.verifier.verify(token)
        except Unauthenticated as refused:
            log.info("token refused: %s", refused.detail)
            raise Unauthorized from None
        except IdentityUnavailable:
            # Not "Unauthorized": the token may be good. API Gateway answers an authorizer's error
            # with its AUTHORIZER_FAILURE response, which the rest_api module makes a 503 problem.
            log.error("the issuer's keys cannot be read: refusing with AUTHORIZER_FAILURE")
            raise
        return allow(verified.subject, event["methodArn"], expires_at=expiry(verified.claims))


with init_phase():  # construction with the garbage collector paused (foyer.cold_start)
    handler = Authorizer()
    if in_lambda():
        handler.verifier  # noqa: B018 - in Lambda a missing setting fails the init (StartupError), not a request
