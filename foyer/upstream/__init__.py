"""Calls from a BFF to the services it aggregates: one shared client, a time budget per request,
retried idempotent reads, a circuit breaker per dependency, and optional parts that degrade.

    upstreams = Upstream("catalog", url, breakers=BREAKERS)          # deps.py, once per process
    deadline = Deadline.for_request(request, budget_s=2.5)           # one per request
    parts = await gather_parts(deadline, products=catalog.get_json(...), stock=Optional(...))
"""

from __future__ import annotations

from foyer.upstream.aggregate import Optional, Parts, gather_parts
from foyer.upstream.breaker import Breakers
from foyer.upstream.budget import Deadline
from foyer.upstream.client import shared_client
from foyer.upstream.exceptions import UpstreamError, UpstreamRefused, UpstreamTimeout, UpstreamUnavailable
from foyer.upstream.service import Upstream

__all__ = [
    "Breakers",
    "Deadline",
    "Optional",
    "Parts",
    "Upstream",
    "UpstreamError",
    "UpstreamRefused",
    "UpstreamTimeout",
    "UpstreamUnavailable",
    "gather_parts",
    "shared_client",
]
