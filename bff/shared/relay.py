"""A service's problem answered to the BFF's client as it is (type, title, status, detail, members).

Only the problems a service declares for its callers (`urn:foyer:problem:` types: an unknown sku, a
reused Idempotency-Key, a cursor it did not issue) are about what the client sent, in words meant for
clients; those are relayed. Any other 4xx (request validation naming the service's own parameters,
`query.customer_id`; a method, a size or a credential the service refuses; a body that is no problem)
is about the request the BFF built: `for_the_client` says which is which, and the caller answers the
other kind as its own fault (UpstreamRefused, 502). Their 5xx never get here (UpstreamUnavailable).
Of the service's headers only `Retry-After` goes along (a 409 for an Idempotency-Key still in flight
says when to come back); the others describe the service's own exchange (its correlation id, cookies,
a `Location` in its own URL space, `WWW-Authenticate` for the BFF's own credentials) and stay behind.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import httpx

from foyer.errors import Problem
from foyer.problems import TYPE_PREFIX

# Members that describe the service's own request, not the client's: never relayed.
_OWN = frozenset({"type", "title", "status", "detail", "correlation_id", "instance"})
# RFC 9110 10.2.3: delay-seconds, or an HTTP-date (IMF-fixdate, the only form a sender may generate).
_RETRY_AFTER = re.compile(
    r"\d{1,10}|(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT"
)


def relayed_headers(response: httpx.Response) -> dict[str, str]:
    """The headers of `response` its problem keeps when relayed: a well-formed `Retry-After` only."""
    retry_after = response.headers.get("retry-after", "").strip()
    return {"Retry-After": retry_after} if _RETRY_AFTER.fullmatch(retry_after) else {}


class ServiceProblem(Problem):
    """The problem a service answered, raised to answer it again."""

    def __init__(
        self,
        status: int,
        type_: str,
        title: str,
        detail: str,
        *,
        members: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail, title=title, headers=headers)
        # Set, not passed as keywords: a service's member may bear any name (`headers` too).
        self.extensions = dict(members or {})
        self.status = status
        self.type = type_


def _problem(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def for_the_client(response: httpx.Response) -> bool:
    """Whether `response` (a 4xx) is a problem the service declares for its callers (a
    `urn:foyer:problem:` type), rather than a refusal of the request the BFF built."""
    body = _problem(response)
    kind = body.get("type") if body is not None else None
    return isinstance(kind, str) and kind.startswith(TYPE_PREFIX) and len(kind) > len(TYPE_PREFIX)


def refusal_summary(response: httpx.Response) -> dict[str, Any]:
    """What an operator needs to see of a refusal in the log: status, type, and the locations of its
    validation errors (never their input)."""
    body = _problem(response) or {}
    errors = body.get("errors")
    locations = [e.get("loc") for e in errors[:20] if isinstance(e, dict)] if isinstance(errors, list) else []
    return {"status": response.status_code, "type": str(body.get("type", ""))[:200], "locations": locations}


def relayed(response: httpx.Response) -> ServiceProblem:
    """The problem `response` (a 4xx) carries, with its safe headers; a body that is no problem is
    described by its status."""
    status, headers = response.status_code, relayed_headers(response)
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return ServiceProblem(
            status, "about:blank", "Request refused", f"The request was refused ({status}).", headers=headers
        )
    return ServiceProblem(
        status,
        str(body.get("type", "about:blank")),
        str(body.get("title", "Request refused")),
        str(body.get("detail", "")),
        members={k: v for k, v in body.items() if k not in _OWN},
        headers=headers,
    )
