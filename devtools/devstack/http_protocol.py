"""uvicorn's HTTP/1.1 protocol with the edge's limits, answering what it refuses with a problem.

A request that h11 cannot parse (a negative or doubled Content-Length, control characters in a
header, an oversized head) never reaches the app: uvicorn answers it itself, with `text/plain`
"Invalid HTTP request received." and no correlation id. Foyer promises problem+json on every error,
so the local stack starts every app and every local API Gateway with this protocol
(`--http devtools.devstack.http_protocol:ProblemH11Protocol`, see processes.uvicorn_argv):

- what h11 refuses is answered with its status (400, 431 for an oversized head, 414 when the request
  line alone is) as RFC 9457 problem+json with a fresh correlation id;
- a head that repeats a header only one value of may be trusted (`Authorization`, `x-api-key`,
  `Idempotency-Key`, `Host`, `Content-Length`, the last even as a comma list), or folds a header over
  lines (obs-fold, RFC 9112 section 5.2), is a 400 problem: h11 merges both silently (equal
  Content-Lengths, folded lines), so no app could tell;
- a client that sends its head or body too slowly gets a 408 problem and the connection is closed
  (HEAD_TIMEOUT_S, BODY_TIMEOUT_S; `FOYER_HTTP_HEAD_TIMEOUT_S` / `FOYER_HTTP_BODY_TIMEOUT_S`
  override them), so a dribbling client cannot hold a connection for ever.

A bare `uvicorn app:app` still answers these with uvicorn's plain-text 400 (the apps' own
foyer.middleware.SingletonHeaders still refuses the repeated headers it can see). In AWS, API Gateway
refuses such requests before any Lambda runs.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import re
from http import HTTPStatus
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from foyer import correlation
from foyer.errors import problem_response

# API Gateway's limit on a REST request's line and headers together (its quota "request line and
# header values": 10240 bytes); the same under uvicorn, so a request is refused alike in both modes.
MAX_HEAD_BYTES = 10_240
HEAD_TIMEOUT_S = 10.0
BODY_TIMEOUT_S = 30.0
# Headers whose one value decides who calls, what is replayed or how the body is framed.
SINGLETONS = frozenset({b"authorization", b"x-api-key", b"idempotency-key", b"host", b"content-length"})
DETAIL = "The request is not valid HTTP/1.1 (its request line or headers could not be parsed)."
_DETAILS = {
    414: f"The request line is longer than {MAX_HEAD_BYTES} bytes.",
    431: f"The request line and headers are longer than {MAX_HEAD_BYTES} bytes.",
    408: "The request was not received in time.",
}
_HEAD_END = re.compile(rb"\r?\n\r?\n")
_LINE = re.compile(rb"\r?\n")


def head_problem(head: bytes) -> str | None:
    """Why a parsed request head must still be refused (a repeated singleton, obs-fold), or None."""
    lines = _LINE.split(_HEAD_END.split(head, 1)[0])
    seen: set[bytes] = set()
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t"):
            return "A header is folded over several lines (obs-fold); send each header on one line."
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name in SINGLETONS:
            if name in seen or (name == b"content-length" and b"," in value):
                return f"The header {name.decode('latin-1')!r} is sent more than once; send it once."
            seen.add(name)
    return None


def _timeout(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


class _HeadRefused(h11.RemoteProtocolError):
    """A head h11 parsed but `head_problem` refuses; its message is the problem's detail."""


class _Connection(h11.Connection):
    """h11's connection, keeping why it refused a request, and refusing what `head_problem` finds."""

    refused: h11.RemoteProtocolError | None = None

    def next_event(self) -> Any:
        # The raw head is only visible before h11 parses it (trailing_data is h11's public view).
        head = self.trailing_data[0] if self.their_state is h11.IDLE else None
        try:
            event = super().next_event()
        except h11.RemoteProtocolError as error:
            self.refused = error
            raise
        if isinstance(event, h11.Request) and head is not None:
            # h11 bounds only a head still incomplete; one that arrives whole is measured here.
            end = _HEAD_END.search(head)
            size = end.start() if end else len(head)
            if size > MAX_HEAD_BYTES:
                line = _LINE.search(head)
                status = 414 if (line.start() if line else size) > MAX_HEAD_BYTES else 431
                self.refused = h11.RemoteProtocolError(_DETAILS[status], error_status_hint=status)
                raise self.refused
            reason = head_problem(head)
            if reason is not None:
                self.refused = _HeadRefused(reason, error_status_hint=400)
                raise self.refused
        return event


def _problem(status: int, detail: str) -> tuple[list[tuple[bytes, bytes]], bytes]:
    correlation.set_current(correlation.new_id())
    response = problem_response(status, detail)
    return list(response.raw_headers), bytes(response.body)


class ProblemH11Protocol(H11Protocol):
    """H11Protocol whose refusals are problem+json with a correlation id, with head/body deadlines."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conn = _Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD_BYTES)
        self._head_timeout_s = _timeout("FOYER_HTTP_HEAD_TIMEOUT_S", HEAD_TIMEOUT_S)
        self._body_timeout_s = _timeout("FOYER_HTTP_BODY_TIMEOUT_S", BODY_TIMEOUT_S)
        self._deadline: asyncio.TimerHandle | None = None
        self._line_seen = False  # has the current request line ended (414 vs 431)?

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self._head_timeout_s)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        waiting_for_head = self.conn.their_state is h11.IDLE
        if waiting_for_head and not self._line_seen:
            self._line_seen = b"\n" in data
        if waiting_for_head and self._deadline is None:
            self._arm(self._head_timeout_s)  # the first bytes of a request on a kept-alive connection
        super().data_received(data)
        if self.conn.their_state is h11.SEND_BODY and waiting_for_head:
            self._arm(self._body_timeout_s)  # the head is in: the body has its own deadline
        elif self.conn.their_state is not h11.IDLE and self.conn.their_state is not h11.SEND_BODY:
            self._disarm()  # the request is complete (or refused)

    def on_response_complete(self) -> None:
        self._line_seen = False
        super().on_response_complete()

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self.conn.their_state is h11.IDLE:
            if not self.conn.trailing_data[0]:
                self.transport.close()  # nothing was sent: an idle connection, closed without a word
            else:
                self._send_problem(408, _DETAILS[408])  # a head begun, never finished
            return
        if self.cycle is not None and self.cycle.response_complete:
            self.transport.close()  # answered before the body was read: the rest is not waited for
            return
        if self.cycle is not None:
            self.cycle.disconnected = True  # the app stops waiting for the rest of the body
            self.cycle.message_event.set()
            if self.cycle.response_started:
                self.transport.close()
                return
        self._send_problem(408, _DETAILS[408])

    def send_400_response(self, msg: str) -> None:
        refused = getattr(self.conn, "refused", None)
        status = refused.error_status_hint if refused is not None else 400
        if status == 431 and not self._line_seen:
            status = 414  # h11 gave up on a head whose request line has not even ended
        detail = str(refused) if isinstance(refused, _HeadRefused) else _DETAILS.get(status, DETAIL)
        self._send_problem(status, detail)

    def _send_problem(self, status: int, detail: str) -> None:
        self._disarm()
        # A fresh context: the id must not leak into whatever else runs in the server's context.
        headers, body = contextvars.Context().run(_problem, status, detail)
        # A refusal is written on the wire as is: h11's state may already be past the request.
        head = [f"HTTP/1.1 {status} {_reason(status)}".encode()]
        head += [name + b": " + value for name, value in headers if name.lower() != b"content-length"]
        head += [b"content-length: " + str(len(body)).encode(), b"connection: close"]
        self.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        self.transport.close()


def _reason(status: int) -> str:
    return HTTPStatus(status).phrase
