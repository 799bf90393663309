"""The partner BFF's one wiring point: settings, the services it calls, the request's deadline, the
calling partner and its Idempotency-Key records. Tests swap any of these with
`app.dependency_overrides`."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from fastapi import Depends, Request, Response

from bff.partner import rate_limits
from bff.partner.settings import PartnerSettings
from bff.shared.calls import Services
from bff.shared.inputs import IDEMPOTENCY_KEY_PATTERN
from bff.shared.wiring import build_services, request_deadline
from foyer.dynamodb import Table
from foyer.idempotency import IdempotencyStore
from foyer.idempotency.http import IdempotentCall, idempotent
from foyer.identity import Partner
from foyer.identity.dependencies import current_partner
from foyer.upstream import Deadline

# What the partner's routes call (bff/partner/api.py): products, availability and orders, never a
# payment; in AWS its FOYER_SERVICE_URLS and its role hold exactly these (terraform platform apps).
CALLS = ("catalog", "inventory", "orders")


@cache
def get_settings() -> PartnerSettings:
    return PartnerSettings()


@cache
def get_services() -> Services:
    """The process-wide service clients (one shared HTTP client, one breaker per service)."""
    return build_services(get_settings(), calls=CALLS)


def get_deadline(request: Request, settings: Annotated[PartnerSettings, Depends(get_settings)]) -> Deadline:
    return request_deadline(request, settings)


def calling_partner(
    request: Request,
    response: Response,
    partner: Annotated[Partner, Depends(current_partner)],
    settings: Annotated[PartnerSettings, Depends(get_settings)],
) -> Partner:
    """The partner behind the request's API key, remembered on the request for the idempotency scope;
    its plan is told on the answer."""
    request.state.partner_id = partner.partner_id
    plan = settings.plans.get(partner.tier)
    if plan is not None:
        response.headers[rate_limits.HEADER] = rate_limits.policy(partner.tier, plan)
    return partner


@cache
def get_idempotency_store() -> IdempotencyStore:
    """Idempotency-Key records, in the partner BFF's own table."""
    return IdempotencyStore(Table(get_settings().table_name))


def _idempotency_records(
    partner: Annotated[Partner, Depends(calling_partner)],
    store: Annotated[IdempotencyStore, Depends(get_idempotency_store)],
) -> IdempotencyStore:
    # Depends on the partner so that the scope below is read after the partner is known.
    return store


def _per_partner(request: Request) -> str:
    """Keys are the partner's own: two partners may send the same key for different orders."""
    return f"{request.state.partner_id} {request.method} {request.url.path}"


ServicesDep = Annotated[Services, Depends(get_services)]
Settings = Annotated[PartnerSettings, Depends(get_settings)]
Budget = Annotated[Deadline, Depends(get_deadline)]
CurrentPartner = Annotated[Partner, Depends(calling_partner)]
# The partner guide's 1-128 characters, so that `partner:<partner id>:<key>` (bff/partner/api.py)
# always fits the orders service's 255.
Once = Annotated[
    IdempotentCall,
    Depends(
        idempotent(
            _idempotency_records, scope=_per_partner, required=True, key_pattern=IDEMPOTENCY_KEY_PATTERN
        )
    ),
]
