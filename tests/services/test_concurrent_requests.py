"""A service under a server answers other requests while store calls are in flight.

Before routes offloaded the blocking store (foyer.blocking), 80 concurrent list calls took 12 s under
uvicorn and `/health` waited 6.6 s behind them. Here the store calls block on an event that is set only
after `/health` and a read of another product have answered: if a store call held the event loop, they
could not answer, and the calls would be released by their deadline instead.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest

from services.catalog import deps
from services.catalog.app import app

pytestmark = pytest.mark.integration

IN_FLIGHT = 8
DEADLINE = 10.0  # seconds a held call waits before giving up on its own


class HeldStore:
    """The real store, whose `list` waits until released (or its deadline), counting who waits."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.release = threading.Event()
        self.waiting = 0
        self.all_waiting = threading.Event()
        self.released_by_deadline = 0
        self._lock = threading.Lock()

    def list(self, **kwargs: Any) -> Any:
        with self._lock:
            self.waiting += 1
            if self.waiting == IN_FLIGHT:
                self.all_waiting.set()
        if not self.release.wait(DEADLINE):
            with self._lock:
                self.released_by_deadline += 1
        return self.real.list(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_health_and_reads_answer_while_list_calls_are_in_flight(wired_services: Any) -> None:
    held = HeldStore(wired_services["catalog"].store)
    app.dependency_overrides[deps.get_store] = lambda: held
    health, missing, answers = asyncio.run(_serve_while_held(held))
    assert (health.status_code, missing.status_code) == (200, 404)
    assert held.released_by_deadline == 0, "a store call held the event loop"
    assert [a.status_code for a in answers] == [200] * IN_FLIGHT


async def _serve_while_held(held: HeldStore) -> tuple[httpx.Response, httpx.Response, list[httpx.Response]]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog") as client:
        lists = [
            asyncio.create_task(client.get("/products", params={"limit": 100})) for _ in range(IN_FLIGHT)
        ]
        # Off the loop: a held call run on the loop would block every other request until its deadline.
        await asyncio.to_thread(held.all_waiting.wait, DEADLINE)
        health = await client.get("/health")
        missing = await client.get("/products/NO-SUCH-SKU")
        held.release.set()
        answers = await asyncio.gather(*lists)
    return health, missing, list(answers)
