"""A service's problem answered to the BFF's client as it is (type, title, status, detail, members).

Services answer only problems the client caused (an unknown sku, a reused Idempotency-Key, a cursor
from another listing) with details meant for clients; their 5xx never get here (UpstreamUnavailable).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from foyer.errors import Problem

# Members that describe the service's own request, not the client's: never relayed.
_OWN = frozenset({"type", "title", "status", "detail", "correlation_id", "instance"})


class ServiceProblem(Problem):
    """The problem a service answered, raised to answer it again."""

    def __init__(self, status: int, type_: str, title: str, detail: str, **members: Any) -> None:
        super().__init__(detail, title=title, **members)
        self.status = status
        self.type = type_


def relayed(response: httpx.Response) -> ServiceProblem:
    """The problem `response` (a 4xx) carries; a body that is no problem is described by its status."""
    status = response.status_code
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return ServiceProblem(
            status, "about:blank", "Request refused", f"The request was refused ({status})."
        )
    members = {k: v for k, v in body.items() if k not in _OWN}
    return ServiceProblem(
        status,
        str(body.get("type", "about:blank")),
        str(body.get("title", "Request refused")),
        str(body.get("detail", "")),
        **members,
    )
