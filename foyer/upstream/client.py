"""The process's one HTTP client for calls to services: httpx's API over aiohttp's transport.

Chosen by measurement (bench/fanout.py, `make bench`): a FastAPI route fanning out to three services
that take 20 ms each, 16 connections, on this shared 2-core machine. See docs/architecture.md
("Aggregation") for the figures; httpx's own transport spends several times aiohttp's CPU per call.

Created at import, reused by every invocation. An aiohttp session belongs to the event loop that
made it, so the transport keeps one per running loop: in Lambda (foyer's adapter, one loop per
process) and under uvicorn that is exactly one; a test that runs several loops gets one each.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
from httpx_aiohttp import AiohttpTransport

# Connections kept per process: a page fans out to at most a handful of services, and a Lambda
# serves one request at a time; uvicorn processes serve many.
# Each call's deadline comes from its request (foyer.upstream.budget); this only bounds a call made
# without one.
CEILING = httpx.Timeout(10.0)
LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=50, keepalive_expiry=30)


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


def aiohttp_transport() -> httpx.AsyncBaseTransport:
    """aiohttp under httpx's API (its session is made on the first request, inside the loop)."""
    return AiohttpTransport(limits=LIMITS, trust_env=False)


def new_client(transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """A client over `transport` (default: aiohttp, one session per loop). No base URL: each
    Upstream names its own; each call's deadline comes from its request."""
    return httpx.AsyncClient(transport=transport or PerLoopTransport(aiohttp_transport), timeout=CEILING)


_transport = PerLoopTransport(aiohttp_transport)
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
