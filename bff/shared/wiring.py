"""A BFF's Services from its settings: one breaker set and, in AWS, SigV4 signing."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.requests import Request

from bff.shared.calls import NAMES, Services
from foyer.signing import signing
from foyer.upstream import Breakers, Deadline
from foyer.upstream.settings import BffSettings


def build_services(settings: BffSettings, calls: Iterable[str] = NAMES) -> Services:
    """The services at the URLs `settings` names, each behind its own breaker; those in `calls` must
    have one."""
    breakers = Breakers(threshold=settings.breaker_threshold, reset_s=settings.breaker_reset_s)
    return Services(
        settings.service_urls,
        breakers=breakers,
        auth=signing(settings.sign_service_calls, settings.aws_region),
        calls=calls,
    )


def request_deadline(request: Request, settings: BffSettings) -> Deadline:
    """The deadline of `request`'s calls (see foyer.upstream.budget)."""
    return Deadline.for_scope(request.scope, budget_s=settings.budget_s, margin_s=settings.budget_margin_s)
