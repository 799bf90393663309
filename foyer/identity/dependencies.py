"""FastAPI dependencies that say who is calling: `CurrentUser` (web, mobile), `CurrentPartner` (partner).

Behind API Gateway (Mangum puts the REST event in `scope["aws.event"]`) the edge already decided: the
authorizer's context names the user and its token's expiry, and the gateway matched the API key and
applied its usage plan, so only the key id is mapped to its partner (the key's record in the partner
BFF's table). API Gateway reuses an authorizer's answer for a token until the answer's TTL ends,
whatever the token's `exp`: the expiry is checked here on every request, so an expired token is
refused at once in both places. Anywhere else (uvicorn) nothing stands in front: the token is
verified here against the issuer's JWKS, and the key is looked up in the emulator and metered against
its plan in the local stack's one meter (the local gateway meters in the same one), then mapped as
behind the gateway. Tests swap `get_verifier`, `get_expiry_check`, `get_partner_keys`, `get_partners`
or `get_usage_meter` with
`app.dependency_overrides`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from fastapi import Depends, Request

from foyer.blocking import run_blocking
from foyer.identity.base import Verifier
from foyer.identity.exceptions import ApiKeyRefused, IdentityUnavailable, Unauthenticated
from foyer.identity.partners import EmulatorKeys, KeyDirectory, KeyLookup, PartnerLookup
from foyer.identity.plans import UsageMeter, stack_usage_meter
from foyer.identity.principals import Partner, User
from foyer.identity.settings import IdentitySettings
from foyer.openapi import SecurityScheme

API_KEY_HEADER = "x-api-key"
# The verifier's words for an expired token (foyer.identity.tokens.EXPIRED), kept here too so a BFF
# behind API Gateway does not import the JOSE library for one sentence.
EXPIRED = "The token has expired."
NO_EXPIRY = "No authorizer vouched for this token's expiry."
_EPOCH = re.compile(r"[0-9]{1,12}")


@cache
def identity_settings() -> IdentitySettings:
    return IdentitySettings()


@cache
def get_verifier() -> Verifier | None:
    """The process-wide verifier of the configured issuer; None when none is configured, and in
    Lambda, where the authorizer has verified the token before the BFF runs."""
    settings = identity_settings()
    if settings.in_lambda or not (settings.jwt_issuer and settings.jwt_audience and settings.jwks_url):
        return None
    # Deferred: only a BFF under uvicorn verifies tokens itself; Lambda zips of BFFs carry no JOSE library.
    from foyer.identity.tokens import Jwks, TokenVerifier

    return TokenVerifier(
        Jwks(settings.jwks_url),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        leeway_s=settings.jwt_leeway_s,
    )


@dataclass(frozen=True)
class ExpiryCheck:
    """When a token the authorizer vouched for stops being accepted: as the verifier decides, at `exp`
    plus the same clock-skew leeway (FOYER_JWT_LEEWAY_S)."""

    leeway_s: int
    now: Callable[[], float] = time.time

    def admit(self, exp: Any) -> None:
        """Nothing for a token still valid; Unauthenticated for one expired or with no `exp`."""
        # API Gateway hands every context value over as a string; the local gateway may keep the number.
        if isinstance(exp, bool) or not isinstance(exp, int | str) or not _EPOCH.fullmatch(str(exp)):
            raise Unauthenticated(NO_EXPIRY)
        if int(exp) <= self.now() - self.leeway_s:
            raise Unauthenticated(EXPIRED)


@cache
def get_expiry_check() -> ExpiryCheck:
    return ExpiryCheck(identity_settings().jwt_leeway_s)


@cache
def get_partners() -> PartnerLookup:
    """The partner of an API key id: its record in the partner BFF's table (FOYER_PARTNER_KEY_TABLE)."""
    from foyer.dynamodb import Table  # deferred: only the partner BFF maps keys

    def table() -> Table:
        name = identity_settings().partner_key_table
        if not name:
            raise IdentityUnavailable("No partner key table is configured (FOYER_PARTNER_KEY_TABLE).")
        return Table(name)

    return KeyDirectory(table)


@cache
def get_partner_keys() -> KeyLookup:
    """The keys and plans in the emulator's API Gateway (used only where no gateway stands in front)."""
    from foyer import aws  # deferred: behind API Gateway no key is ever looked up here

    return EmulatorKeys(lambda: aws.client("apigateway", identity_settings()))


@cache
def get_usage_meter() -> UsageMeter:
    """The local stack's one meter, shared with its local gateway: API Gateway meters per key across
    the stage, whichever way a request comes in."""
    return stack_usage_meter()


def _event(request: Request) -> dict[str, Any] | None:
    event = request.scope.get("aws.event")
    return event if isinstance(event, dict) else None


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization")
    if not header:
        raise Unauthenticated("Sign in: send 'Authorization: Bearer <token>'.", error="")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("The Authorization header is not 'Bearer <token>'.", error="invalid_request")
    return token.strip()


async def current_user(
    request: Request,
    verifier: Annotated[Verifier | None, Depends(get_verifier)],
    expiry: Annotated[ExpiryCheck, Depends(get_expiry_check)],
) -> User:
    """The signed-in user, or Unauthenticated (401 with `WWW-Authenticate`); IdentityUnavailable (503)
    when the issuer's keys cannot be read."""
    event = _event(request)
    if event is not None:
        context = (event.get("requestContext") or {}).get("authorizer") or {}
        user_id = context.get("user_id") or context.get("principalId")
        if not isinstance(user_id, str) or not user_id:
            # API Gateway only forwards requests its authorizer allowed; no context means no authorizer.
            raise Unauthenticated("No authorizer vouched for this request.", error="")
        expiry.admit(context.get("exp"))
        return User(user_id=user_id)
    token = _bearer(request)
    if verifier is None:
        raise Unauthenticated("No token issuer is configured, so no token can be accepted.")
    # In a worker thread: a JWKS refetch blocks on the issuer for up to its timeout (foyer.blocking).
    verified = await run_blocking(verifier.verify, token)
    return User(user_id=verified.subject)


async def current_partner(
    request: Request,
    keys: Annotated[KeyLookup, Depends(get_partner_keys)],
    meter: Annotated[UsageMeter, Depends(get_usage_meter)],
    partners: Annotated[PartnerLookup, Depends(get_partners)],
) -> Partner:
    """The partner whose API key came with the request, within its usage plan; else ApiKeyRefused
    (403), OverUsagePlan (429 with `Retry-After`) or IdentityUnavailable (503: the directory is down)."""
    event = _event(request)
    if event is not None:
        key_id = ((event.get("requestContext") or {}).get("identity") or {}).get("apiKeyId")
    else:
        value = request.headers.get(API_KEY_HEADER)
        if not value:
            raise ApiKeyRefused(f"Send your API key in the '{API_KEY_HEADER}' header.")
        # What API Gateway does before the BFF runs: the key, enabled and under a plan, then the plan.
        found = await run_blocking(keys.lookup, value)
        if found is None:
            raise ApiKeyRefused("The API key is not valid.")
        if found.plan is not None:
            await run_blocking(meter.admit, found.partner.api_key_id, found.plan)
        key_id = found.partner.api_key_id
    partner = await run_blocking(partners.get, key_id) if isinstance(key_id, str) and key_id else None
    if partner is None:
        raise ApiKeyRefused("The request carries no API key of a partner.")
    return partner


CurrentUser = Annotated[User, Depends(current_user)]
CurrentPartner = Annotated[Partner, Depends(current_partner)]

# What the OpenAPI of a BFF declares (`create_app(security=...)`) for the routes that ask who calls.
BEARER = SecurityScheme(
    "bearer",
    {"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "The signed-in user's token"},
    current_user,
    {
        401: "No token, or one that is not valid or has expired (`WWW-Authenticate` says which)",
        403: "The gateway's authorizer denied the token",
    },
)
API_KEY = SecurityScheme(
    "apiKey",
    {"type": "apiKey", "in": "header", "name": API_KEY_HEADER, "description": "Your partner API key"},
    current_partner,
    {403: "No API key, or one that is not valid", 429: "Over your usage plan; wait `Retry-After` seconds"},
)
