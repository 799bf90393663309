"""foyer.upstream.transports: which transport each runtime gets, and that foyer.upstream behaves the
same over both (retries, deadline, breaker, signing, correlation id) against a real local server."""

from __future__ import annotations

import asyncio
import importlib.abc
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from aiohttp import web

from foyer import correlation
from foyer.upstream import Breakers, Deadline, Upstream, UpstreamTimeout, UpstreamUnavailable
from foyer.upstream.client import PerLoopTransport, new_client
from foyer.upstream.transports import TRANSPORTS, VARIABLE, Transport, chosen, factory


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"AWS_LAMBDA_FUNCTION_NAME": "foyer-web"}, "httpx"),  # Lambda: one request at a time
        ({}, "aiohttp"),  # uvicorn: many at once
        ({"AWS_LAMBDA_FUNCTION_NAME": "foyer-web", VARIABLE: "aiohttp"}, "aiohttp"),
        ({VARIABLE: " HTTPX "}, "httpx"),
    ],
)
def test_each_runtime_gets_its_transport_unless_one_is_named(environ: dict[str, str], expected: str) -> None:
    assert chosen(environ) == expected


def test_an_unknown_transport_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="FOYER_HTTP_TRANSPORT='curl': expected one of httpx, aiohttp"):
        chosen({VARIABLE: "curl"})


Route = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def serving(route: Route) -> AsyncIterator[str]:
    """A real HTTP server on a free local port answering every GET and POST with `route`."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", route)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> Transport:
    name: Transport = request.param
    return name


def catalog(transport: Transport, url: str, **options: Any) -> Upstream:
    client = new_client(PerLoopTransport(factory(transport)))
    return Upstream("catalog", url, breakers=options.pop("breakers", Breakers()), client=client, **options)


def test_a_read_is_retried_through_a_503_over_either_transport(transport: Transport) -> None:
    seen: list[str] = []

    async def route(request: web.Request) -> web.Response:
        seen.append(request.path_qs)
        if len(seen) == 1:
            return web.Response(status=503)
        return web.json_response({"sku": "A1"})

    async def scenario() -> httpx.Response:
        async with serving(route) as url:
            upstream = catalog(transport, url)
            try:
                return await upstream.get("/products/A1", Deadline.after(5), params={"view": "full"})
            finally:
                await upstream.client.aclose()

    response = asyncio.run(scenario())
    assert response.status_code == 200
    assert response.json() == {"sku": "A1"}
    assert seen == ["/products/A1?view=full", "/products/A1?view=full"]


def test_a_write_carries_its_body_auth_and_correlation_id_once(transport: Transport) -> None:
    received: list[tuple[Any, Any]] = []

    class Signed(httpx.Auth):  # stands in for SigV4 (foyer.signing): a header computed per request
        def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
            request.headers["Authorization"] = f"signed {request.method} {request.url.path}"
            yield request

    async def route(request: web.Request) -> web.Response:
        received.append((request.headers.copy(), await request.json()))  # case-insensitive
        return web.json_response({"id": "o-1"}, status=201)

    async def scenario() -> httpx.Response:
        async with serving(route) as url:
            upstream = catalog(transport, url, auth=Signed())
            correlation.set_current("cid-transport")
            try:
                return await upstream.post("/orders", Deadline.after(5), json={"lines": [1]})
            finally:
                await upstream.client.aclose()

    response = asyncio.run(scenario())
    assert response.status_code == 201
    [(headers, body)] = received
    assert body == {"lines": [1]}
    assert headers["Authorization"] == "signed POST /orders"
    assert headers[correlation.HEADER] == "cid-transport"


def test_a_slow_service_ends_at_the_deadline(transport: Transport) -> None:
    async def route(request: web.Request) -> web.Response:
        await asyncio.sleep(0.5)  # far past the deadline; the server's shutdown waits for it
        return web.Response()

    async def scenario() -> None:
        async with serving(route) as url:
            upstream = catalog(transport, url)
            try:
                await upstream.get("/slow", Deadline.after(0.1))
            finally:
                await upstream.client.aclose()

    with pytest.raises(UpstreamTimeout):
        asyncio.run(scenario())


def test_an_unreachable_service_opens_its_breaker(transport: Transport) -> None:
    with socket.socket() as probe:  # a port nobody listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    breakers = Breakers(threshold=1, reset_s=30)

    async def scenario() -> list[str]:
        upstream = catalog(transport, f"http://127.0.0.1:{port}", breakers=breakers)
        reasons = []
        try:
            for _ in range(2):
                try:
                    await upstream.post("/orders", Deadline.after(5), json={})
                except UpstreamUnavailable as exc:
                    reasons.append(exc.reason)
        finally:
            await upstream.client.aclose()
        return reasons

    unreachable, refused = asyncio.run(scenario())
    # httpx-aiohttp reports a refused connection as a ConnectTimeout: "timed out (ConnectTimeout)".
    assert unreachable.startswith(("unreachable (", "timed out (")), unreachable
    assert refused == "circuit open"


def test_a_warm_call_searches_for_no_module(transport: Transport) -> None:
    """A failed import is not cached: httpcore's `import sniffio` (twice per request) searched every
    sys.path entry on every call until sniffio was installed."""
    searched: list[str] = []

    class Recorder(importlib.abc.MetaPathFinder):
        def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
            searched.append(name)

    async def route(request: web.Request) -> web.Response:
        return web.json_response({})

    async def scenario() -> None:
        async with serving(route) as url:
            upstream = catalog(transport, url)
            try:
                await upstream.get("/first", Deadline.after(5))  # imports what a first call needs
                recorder = Recorder()
                sys.meta_path.insert(0, recorder)
                try:
                    await upstream.get("/second", Deadline.after(5))
                finally:
                    sys.meta_path.remove(recorder)
            finally:
                await upstream.client.aclose()

    asyncio.run(scenario())
    assert searched == []


def test_a_cookie_a_service_sets_never_rides_on_a_later_call(transport: Transport) -> None:
    """The client is shared by every user's requests: neither httpx's jar nor aiohttp's session may
    keep a cookie from one answer for the next call."""
    sent: list[str | None] = []

    async def route(request: web.Request) -> web.Response:
        sent.append(request.headers.get("Cookie"))
        answer = web.json_response({})
        answer.set_cookie("session", "first-user")
        return answer

    async def scenario() -> None:
        async with serving(route) as url:
            upstream = catalog(transport, url)
            try:
                await upstream.get("/one-users-call", Deadline.after(5))
                await upstream.get("/another-users-call", Deadline.after(5))
            finally:
                await upstream.client.aclose()

    asyncio.run(scenario())
    assert sent == [None, None]
