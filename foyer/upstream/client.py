"""The process's one HTTP client for calls to services: httpx's API over the transport chosen for
the runtime (foyer.upstream.transports: httpx's own in Lambda, aiohttp under uvicorn).

Created at import, reused by every invocation. A transport's connections belong to the event loop
that opened them, so the client keeps one transport per running loop, made on its first request: in
Lambda (foyer's adapter, one loop per process) and under uvicorn that is exactly one; a test that
runs several loops gets one each.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx

from foyer.upstream.transports import NoCookies, chosen, factory

# Each call's deadline comes from its request (foyer.upstream.budget); this only bounds a call made
# without one.
CEILING = httpx.Timeout(10.0)


class PerLoopTransport(httpx.AsyncBaseTransport):
    """One `make()` transport per running event loop."""

    def __init__(self, make: Callable[[], httpx.AsyncBaseTransport]) -> None:
        self._make = make
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncBaseTransport] = (
            weakref.WeakKeyDictionary()
        )

    def _current(self) -> httpx.AsyncBaseTransport:
        loop = asyncio.get_running_loop()
        transport = self._by_loop.get(loop)
        if transport is None:
            transport = self._by_loop[loop] = self._make()
        return transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._current().handle_async_request(request)

    async def aclose(self) -> None:
        transport = self._by_loop.pop(asyncio.get_running_loop(), None)
        if transport is not None:
            await transport.aclose()


def new_client(transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """A client over `transport` (default: the runtime's, one per loop). No base URL: each Upstream
    names its own; each call's deadline comes from its request. No proxies or credentials from
    the environment: services are called directly, signed by foyer.signing where required. No
    cookies: the client carries every user's calls (foyer.upstream.transports.NoCookies)."""
    return httpx.AsyncClient(
        transport=transport or PerLoopTransport(factory(chosen())),
        timeout=CEILING,
        trust_env=False,
        cookies=NoCookies(),
    )


_transport = PerLoopTransport(factory(chosen()))
_shared = new_client(_transport)


def shared_client() -> httpx.AsyncClient:
    """The process-wide client, created at import (its connections are reused across requests)."""
    return _shared


@asynccontextmanager
async def connections(app: object) -> AsyncIterator[None]:
    """A BFF app's lifespan: on shutdown, close this loop's connections (an aiohttp session left
    open is reported as "Unclosed client session" when it is collected, after its loop is gone)."""
    yield
    await _transport.aclose()
