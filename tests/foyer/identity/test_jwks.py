"""foyer.identity.jwks: the issuer's keys over HTTP (a real server on an ephemeral port), cached,
bounded in time and size, refetched for an unknown kid at most once per interval, kept through an
outage for a while, and an issuer that cannot be read is IdentityUnavailable (503), never a 401."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from devtools.devstack.issuer import LocalIssuer
from foyer.identity import IdentityUnavailable
from foyer.identity.jwks import Jwks, JwksUnreadable, fetch_jwks

ISSUER = LocalIssuer.generate("key-1")
ROTATED = LocalIssuer.generate("key-2")


@dataclass
class Issuer:
    """What the test server answers at /.well-known/jwks.json, and how often it was asked."""

    document: bytes = json.dumps(ISSUER.jwks()).encode()
    status: int = 200
    delay: threading.Event | None = None
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def issuer() -> Iterator[tuple[Issuer, str]]:
    state = Issuer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(self.path)
            if state.delay is not None:
                state.delay.wait(5)
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(state.document)))
            self.end_headers()
            self.wfile.write(state.document)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    if state.delay is not None:
        state.delay.set()
    server.shutdown()
    server.server_close()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_keys_are_fetched_over_http_and_cached(issuer: tuple[Issuer, str]) -> None:
    state, url = issuer
    jwks = Jwks(url, clock=Clock())
    assert jwks.key("key-1") is not None
    assert jwks.key("key-1") is not None
    assert state.requests == ["/.well-known/jwks.json"]


def test_an_unknown_kid_refetches_at_most_once_per_interval_and_finds_a_rotated_key(
    issuer: tuple[Issuer, str],
) -> None:
    state, url = issuer
    clock = Clock()
    jwks = Jwks(url, min_refresh_s=30, clock=clock)
    assert jwks.key("key-1") is not None
    state.document = json.dumps({"keys": ISSUER.jwks()["keys"] + ROTATED.jwks()["keys"]}).encode()
    assert jwks.key("key-2") is None  # within 30 s of the last fetch: not asked again
    clock.now = 30
    assert jwks.key("key-2") is not None
    assert [jwks.key(f"made-up-{i}") for i in range(50)] == [None] * 50
    assert len(state.requests) == 2


@pytest.mark.parametrize(
    ("status", "document"),
    [
        (500, b"{}"),
        (404, b"not found"),
        (200, b"<html>"),
        (200, b'{"keys": "none"}'),
        (200, json.dumps({"keys": [{"pad": "x" * 70_000}]}).encode()),  # over the size cap
    ],
    ids=["5xx", "4xx", "not json", "no keys list", "too large"],
)
def test_a_bad_answer_is_unreadable(issuer: tuple[Issuer, str], status: int, document: bytes) -> None:
    state, url = issuer
    state.status, state.document = status, document
    with pytest.raises(JwksUnreadable):
        fetch_jwks(url)


def test_a_silent_issuer_times_out(issuer: tuple[Issuer, str]) -> None:
    state, url = issuer
    state.delay = threading.Event()
    with pytest.raises(JwksUnreadable, match=r"(?i)timed out|timeout"):
        fetch_jwks(url, timeout_s=0.2)


def test_an_unreachable_issuer_is_identity_unavailable_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    jwks = Jwks("http://127.0.0.1:9/.well-known/jwks.json", clock=Clock())  # discard port: refused
    with caplog.at_level(logging.ERROR, logger="foyer.identity.jwks"), pytest.raises(IdentityUnavailable):
        jwks.key("key-1")
    assert "unreadable" in caplog.text
    assert "no keys kept" in caplog.text


def test_an_outage_keeps_the_keys_in_hand_until_they_are_too_stale(issuer: tuple[Issuer, str]) -> None:
    state, url = issuer
    clock = Clock()
    jwks = Jwks(url, max_age_s=300, min_refresh_s=30, max_stale_s=600, clock=clock)
    assert jwks.key("key-1") is not None
    state.status = 503
    clock.now = 301  # stale: refetch fails, the keys in hand still verify
    assert jwks.key("key-1") is not None
    clock.now = 320  # a failed fetch 19 s ago: no new attempt yet
    assert jwks.key("key-1") is not None
    assert len(state.requests) == 2
    clock.now = 900  # past max_age + max_stale: nothing vouches for the keys any more
    with pytest.raises(IdentityUnavailable) as refused:
        jwks.key("key-1")
    assert refused.value.retry_after_s == 30
    state.status = 200
    clock.now = 930  # the issuer is back: the next attempt finds it
    assert jwks.key("key-1") is not None
