"""Which HTTP transport carries a BFF's calls, per runtime: httpx's own in Lambda, aiohttp elsewhere.

Chosen by measurement (docs/architecture.md, "The BFFs"; bench/fanout.py, bench/fanout_lambda.py):
- In a Lambda execution environment a process serves one request at a time. There the transport's
  import is on every cold start and its throughput under many connections buys nothing: aiohttp
  (under httpx's API) is a large share of a BFF's import (its connector builds two SSL contexts at
  import), while httpx's own transport and its SSL context are paid on the first call, not at init.
- Under uvicorn a process serves many requests at once, where httpx's own transport serves a small
  fraction of aiohttp's requests per second (bench/fanout.py; see docs/performance.md).

`FOYER_HTTP_TRANSPORT` (`httpx` or `aiohttp`) overrides the choice (tests run both). The Lambda zips
carry no aiohttp at all (devtools.cli.package.CARRIED_ONLY_BY), so it is imported only when chosen.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from http.cookiejar import Cookie, CookieJar
from typing import Any, Literal

import httpx

from foyer.startup import in_lambda

Transport = Literal["httpx", "aiohttp"]
TRANSPORTS: tuple[Transport, ...] = ("httpx", "aiohttp")
VARIABLE = "FOYER_HTTP_TRANSPORT"
# Connections kept per process: a page fans out to at most a handful of services, and a Lambda
# serves one request at a time; uvicorn processes serve many.
LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=50, keepalive_expiry=30)


def chosen(environ: Mapping[str, str] = os.environ) -> Transport:
    """The transport for this process: `FOYER_HTTP_TRANSPORT` when set, else `httpx` in a Lambda
    environment (Lambda sets `AWS_LAMBDA_FUNCTION_NAME` for every function) and `aiohttp` elsewhere."""
    named = environ.get(VARIABLE, "").strip().lower()
    if named:
        if named not in TRANSPORTS:
            raise ValueError(f"{VARIABLE}={named!r}: expected one of {', '.join(TRANSPORTS)}")
        return named
    return "httpx" if in_lambda(environ) else "aiohttp"


def httpx_transport() -> httpx.AsyncBaseTransport:
    """httpx's own transport (httpcore), without retries of its own: foyer.upstream retries."""
    return httpx.AsyncHTTPTransport(limits=LIMITS, trust_env=False)


def factory(name: Transport) -> Callable[[], httpx.AsyncBaseTransport]:
    """What makes a `name` transport; aiohttp is imported here, only when it is the one chosen."""
    if name == "httpx":
        return httpx_transport
    import aiohttp
    from httpx_aiohttp import AiohttpTransport

    class CookielessAiohttpTransport(AiohttpTransport):
        """httpx-aiohttp's transport whose session keeps no cookies (see NoCookies)."""

        def get_client(self) -> aiohttp.ClientSession:
            # What httpx-aiohttp builds (a TCP connector with the limits and its SSL context),
            # with a cookie jar that keeps nothing. Made on the first request, inside the loop.
            connector = aiohttp.TCPConnector(
                keepalive_timeout=LIMITS.keepalive_expiry,
                limit=LIMITS.max_connections or 0,
                ssl=self.ssl_context,
            )
            return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())

    def aiohttp_transport() -> httpx.AsyncBaseTransport:
        return CookielessAiohttpTransport(limits=LIMITS, trust_env=False)

    return aiohttp_transport


class NoCookies(CookieJar):
    """A cookie jar that keeps nothing. The one client serves every user's requests: a cookie a
    service set in an answer to one of them must never ride on another's calls (both httpx's jar
    and aiohttp's session kept and re-sent them before)."""

    def set_cookie(self, cookie: Cookie) -> None:
        return None

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None
