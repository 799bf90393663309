"""One dependency of a BFF: its base URL, the shared client, its breaker and (in AWS) SigV4 signing.

Every call takes its timeout from the request's Deadline. A read (`get`) is idempotent, so a
transport error, a 429 or a 502/503/504 is retried with backoff and full jitter through
foyer.retry, as long as the deadline leaves time; a write (`post`) is sent once (a write made safe
to repeat by an Idempotency-Key may pass `retry=True`). Whatever the route does with an answer, a
call that ends without one raises UpstreamTimeout (the deadline passed) or UpstreamUnavailable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx

from foyer import correlation
from foyer.retry import async_attempts
from foyer.upstream.breaker import Breakers
from foyer.upstream.budget import Deadline
from foyer.upstream.client import shared_client
from foyer.upstream.exceptions import UpstreamTimeout, UpstreamUnavailable

# Answers that say "try again": the dependency is overloaded or a proxy in front of it failed.
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
# Attempts of one idempotent read (the deadline usually ends them sooner).
READ_ATTEMPTS = 3


class _Failed(Exception):
    """An attempt that got no usable answer (retried when the call may be repeated)."""

    def __init__(self, reason: str, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after_s = retry_after_s


class Upstream:
    """Calls to the dependency `name` at `base_url`."""

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        breakers: Breakers,
        client: httpx.AsyncClient | None = None,
        auth: httpx.Auth | None = None,
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.breakers = breakers
        self.client = client or shared_client()
        self.auth = auth

    async def get(
        self, path: str, deadline: Deadline, *, params: Mapping[str, Any] | None = None
    ) -> httpx.Response:
        """The dependency's answer to `GET path` (any status below 500 but 429), retried while the
        deadline allows."""
        return await self.call("GET", path, deadline, params=params, retry=True)

    async def post(
        self,
        path: str,
        deadline: Deadline,
        *,
        json: Any,
        headers: Mapping[str, str] | None = None,
        retry: bool = False,
    ) -> httpx.Response:
        """The dependency's answer to `POST path` with a JSON body; sent once unless `retry`."""
        return await self.call("POST", path, deadline, json=json, headers=headers, retry=retry)

    async def call(
        self,
        method: str,
        path: str,
        deadline: Deadline,
        *,
        retry: bool,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """The answer to one request, made within `deadline`."""
        request = self.client.build_request(
            method, f"{self.base_url}{path}", params=params, json=json, headers=self._headers(headers)
        )
        try:
            async with asyncio.timeout(deadline.remaining()):
                async for attempt in async_attempts(
                    READ_ATTEMPTS if retry else 1, retry_on=(_Failed,), max_total_s=deadline.remaining()
                ):
                    with attempt:
                        return await self._attempt(request, deadline)
        except TimeoutError:
            raise UpstreamTimeout(self.name, "no answer within the request's budget") from None
        except _Failed as failed:
            raise UpstreamUnavailable(self.name, failed.reason) from None
        raise AssertionError("unreachable: the attempts re-raise their last failure")  # pragma: no cover

    async def _attempt(self, request: httpx.Request, deadline: Deadline) -> httpx.Response:
        async with self.breakers.guard(self.name):
            try:
                response = await self.client.send(request, auth=self.auth or httpx.USE_CLIENT_DEFAULT)
            except httpx.TimeoutException as exc:
                raise _Failed(f"timed out ({type(exc).__name__})") from exc
            except httpx.HTTPError as exc:
                raise _Failed(f"unreachable ({type(exc).__name__})") from exc
            if response.status_code >= 500 or response.status_code in RETRYABLE_STATUSES:
                hint = response.headers.get("retry-after", "")
                raise _Failed(f"answered {response.status_code}", float(hint) if hint.isdigit() else None)
            return response

    @staticmethod
    def _headers(extra: Mapping[str, str] | None) -> dict[str, str]:
        headers = {"accept": "application/json"}
        cid = correlation.get()
        if cid:
            headers[correlation.HEADER] = cid
        return {**headers, **(extra or {})}
