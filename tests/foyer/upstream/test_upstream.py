"""foyer.upstream without the stack: deadlines, retried reads, the breaker, optional parts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from foyer.upstream import (
    Breakers,
    Deadline,
    Optional,
    Upstream,
    UpstreamTimeout,
    UpstreamUnavailable,
    gather_parts,
)
from foyer.upstream.client import PerLoopTransport

Handler = Callable[[httpx.Request], httpx.Response]


def upstream(
    handler: Handler, *, breakers: Breakers | None = None, auth: httpx.Auth | None = None
) -> Upstream:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return Upstream("catalog", "http://catalog", breakers=breakers or Breakers(), client=client, auth=auth)


class Context:
    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def test_the_deadline_is_the_lambdas_remaining_time_minus_the_margin() -> None:
    deadline = Deadline.for_scope({"aws.context": Context(1_000)}, budget_s=5.0, margin_s=0.25)
    assert 0.70 < deadline.remaining() <= 0.75
    capped = Deadline.for_scope({"aws.context": Context(60_000)}, budget_s=2.0, margin_s=0.25)
    assert 1.9 < capped.remaining() <= 2.0
    spent = Deadline.for_scope({"aws.context": Context(100)}, budget_s=2.0, margin_s=0.25)
    assert spent.remaining() == 0.0
    assert 2.9 < Deadline.for_scope({}, budget_s=3.0, margin_s=0.25).remaining() <= 3.0


def test_a_read_is_retried_through_a_503_and_a_transport_error() -> None:
    answers: list[Any] = [
        httpx.Response(503),
        httpx.ConnectError("refused"),
        httpx.Response(200, json={"ok": 1}),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    response = asyncio.run(upstream(handler).get("/products", Deadline.after(5)))
    assert response.json() == {"ok": 1}
    assert answers == []


def test_a_write_is_sent_once() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(503)

    with pytest.raises(UpstreamUnavailable, match="answered 503"):
        asyncio.run(upstream(handler).post("/orders", Deadline.after(5), json={}))
    assert len(sent) == 1


def test_a_4xx_is_an_answer_not_a_failure() -> None:
    breakers = Breakers(threshold=1)
    response = asyncio.run(
        upstream(lambda r: httpx.Response(404), breakers=breakers).get("/x", Deadline.after(5))
    )
    assert response.status_code == 404
    assert asyncio.run(breakers.state("catalog")) == "closed"


def test_a_call_ends_at_the_deadline() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(10)
        return httpx.Response(200)

    client = httpx.AsyncClient(transport=httpx.MockTransport(slow))
    catalog = Upstream("catalog", "http://catalog", breakers=Breakers(), client=client)
    with pytest.raises(UpstreamTimeout):
        asyncio.run(catalog.get("/x", Deadline.after(0.05)))


def test_the_breaker_opens_after_the_threshold_and_refuses_at_once() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(500)

    breakers = Breakers(threshold=2, reset_s=60)
    catalog = upstream(handler, breakers=breakers)
    with pytest.raises(UpstreamUnavailable):
        asyncio.run(catalog.post("/a", Deadline.after(5), json={}))
    with pytest.raises(UpstreamUnavailable):
        asyncio.run(catalog.post("/b", Deadline.after(5), json={}))
    with pytest.raises(UpstreamUnavailable, match="circuit open") as refused:
        asyncio.run(catalog.post("/c", Deadline.after(5), json={}))
    assert calls == ["/a", "/b"]
    assert refused.value.retry_after_s == 60


def test_a_failed_optional_part_is_named_and_the_rest_kept() -> None:
    async def ok() -> str:
        return "products"

    async def broken() -> str:
        raise UpstreamUnavailable("inventory", "down")

    parts = asyncio.run(gather_parts(products=ok(), stock=Optional(broken())))
    assert parts["products"] == "products"
    assert parts.get("stock") is None
    assert parts.degraded == ["stock"]
    with pytest.raises(UpstreamUnavailable):
        asyncio.run(gather_parts(products=broken(), stock=Optional(ok())))


def test_the_correlation_id_travels_with_each_call() -> None:
    from foyer import correlation

    seen: dict[str, str] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.update(request.headers)
        return httpx.Response(200)

    async def call() -> None:
        correlation.set_current("cid-123")
        await upstream(handler).get("/x", Deadline.after(5))

    asyncio.run(call())
    assert seen[correlation.HEADER] == "cid-123"


def test_each_event_loop_gets_its_own_transport() -> None:
    made: list[httpx.AsyncBaseTransport] = []

    def make() -> httpx.AsyncBaseTransport:
        made.append(httpx.MockTransport(lambda r: httpx.Response(200)))
        return made[-1]

    client = httpx.AsyncClient(transport=PerLoopTransport(make))

    async def twice() -> None:
        await client.get("http://x/")
        await client.get("http://x/")

    asyncio.run(twice())
    asyncio.run(twice())
    assert len(made) == 2


def test_a_bff_closes_its_loops_connections_when_it_stops() -> None:
    from fastapi.testclient import TestClient

    from bff.web.app import build
    from bff.web.settings import WebSettings
    from foyer.upstream import client as shared

    opened: list[Any] = []

    async def open_one() -> None:
        opened.append(shared._transport._current())

    app = build(WebSettings())

    @app.get("/open")
    async def open_route() -> dict[str, str]:
        await open_one()
        return {}

    before = len(shared._transport._by_loop)  # other tests' loops may still be alive
    with TestClient(app) as http:
        http.get("/open")
        assert len(shared._transport._by_loop) == before + 1
    assert len(shared._transport._by_loop) == before
