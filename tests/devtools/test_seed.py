"""The demo catalog is seeded through the services' HTTP APIs, and a slow or failing answer on a busy
machine is tried again instead of stopping `make dev`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any

import pytest

from devtools.devstack import seed


@contextmanager
def flaky_services(fail_first: dict[str, str]) -> Iterator[tuple[str, dict[str, int]]]:
    """A catalog+inventory stand-in on 127.0.0.1 whose first request of each kind in `fail_first`
    ("POST" or "PUT" -> "slow", "503" or "422") misbehaves; yields its URL and the requests it counted."""
    seen: dict[str, int] = {}

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, ok: int) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            seen[self.command] = seen.get(self.command, 0) + 1
            fault = fail_first.get(self.command) if seen[self.command] == 1 else None
            if fault == "slow":
                time.sleep(0.6)  # past the client's timeout
            status = {"503": 503, "422": 422}.get(fault or "", ok)
            body = json.dumps({}).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            self._answer(201)

        def do_PUT(self) -> None:
            self._answer(200)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("fail_first", [{"POST": "slow"}, {"POST": "503"}, {"PUT": "slow"}, {"PUT": "503"}])
def test_a_transient_failure_while_seeding_is_tried_again(fail_first: dict[str, str]) -> None:
    with flaky_services(fail_first) as (url, seen):
        count = seed.seed(url, url, timeout=0.3)
    products = len(seed.demo_products())
    assert count == products
    assert sum(seen.values()) == 2 * products + 1  # every write once, the failed one twice


def test_a_refused_product_stops_seeding_at_once() -> None:
    with flaky_services({"POST": "422"}) as (url, seen), pytest.raises(RuntimeError, match="seeding"):
        seed.seed(url, url, timeout=0.3)
    assert seen == {"POST": 1}
