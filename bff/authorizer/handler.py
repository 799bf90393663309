"""The authorizer Lambda: `bff.authorizer.handler.handler`, for TOKEN and REQUEST authorizers.

It verifies the caller's RS256 JWT with the same verifier the BFFs use under uvicorn
(foyer.identity.tokens) against the issuer's JWKS (FOYER_JWKS_URL, cached across invocations) and
answers an Allow policy with the user id in the context, or "Unauthorized" (API Gateway's 401); when
the issuer's keys cannot be read it fails (API Gateway's AUTHORIZER_FAILURE, a 503 problem).
It imports no web framework: an authorizer's cold start sits in front of its first request.
"""

from __future__ import annotations

import logging
from typing import Any

from bff.authorizer.policy import Unauthorized, allow, bearer_token
from foyer.cold_start import init_phase
from foyer.identity import IdentityUnavailable, Unauthenticated
from foyer.identity.settings import IdentitySettings
from foyer.identity.tokens import Jwks, TokenVerifier
from foyer.settings import platform

log = logging.getLogger("foyer.authorizer")


def build_verifier(settings: IdentitySettings) -> TokenVerifier:
    """The verifier `settings` configure; a missing issuer, audience or JWKS URL is a RuntimeError
    naming the variables to set."""
    issuer, audience, jwks_url = settings.jwt_issuer, settings.jwt_audience, settings.jwks_url
    if not (issuer and audience and jwks_url):
        named = {"FOYER_JWT_ISSUER": issuer, "FOYER_JWT_AUDIENCE": audience, "FOYER_JWKS_URL": jwks_url}
        missing = ", ".join(name for name, value in named.items() if not value)
        raise RuntimeError(f"the authorizer cannot start without {missing}")
    return TokenVerifier(Jwks(jwks_url), issuer=issuer, audience=audience, leeway_s=settings.jwt_leeway_s)


class Authorizer:
    """Verifies the event's bearer token; the verifier is built on first use and kept."""

    def __init__(self, verifier: TokenVerifier | None = None) -> None:
        self._verifier = verifier

    @property
    def verifier(self) -> TokenVerifier:
        if self._verifier is None:
            self._verifier = build_verifier(IdentitySettings(service="authorizer"))
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
        return allow(verified.subject, event["methodArn"])


with init_phase():  # construction with the garbage collector paused (foyer.cold_start)
    handler = Authorizer()
    if platform().in_lambda:
        handler.verifier  # noqa: B018 - in Lambda a missing setting fails the init, not the first request
