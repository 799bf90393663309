"""uvicorn's HTTP/1.1 protocol, answering malformed requests with a problem, not plain text.

A request that h11 cannot parse (a negative or doubled Content-Length, control characters in a
header, an oversized head) never reaches the app: uvicorn answers it itself, with
`text/plain` "Invalid HTTP request received." and no correlation id. Foyer promises problem+json
on every error, so the local stack starts apps with `--http foyer.devstack.http_protocol:ProblemH11Protocol`
(see processes.uvicorn_argv): the same 400, as RFC 9457 problem+json with a fresh correlation id in
the body and the `x-correlation-id` header.

A bare `uvicorn app:app` still answers these with uvicorn's plain-text 400; so does the httptools
protocol, which `--http auto` picks when httptools is installed (Foyer's lock file does not have it).
In AWS, API Gateway refuses such requests before any Lambda runs.
"""

from __future__ import annotations

import contextvars

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from foyer import correlation
from foyer.errors import problem_response

DETAIL = "The request is not valid HTTP/1.1 (its request line or headers could not be parsed)."


def _problem() -> tuple[list[tuple[bytes, bytes]], bytes]:
    correlation.set_current(correlation.new_id())
    response = problem_response(400, DETAIL)
    return list(response.raw_headers), bytes(response.body)


class ProblemH11Protocol(H11Protocol):
    """H11Protocol whose 400 for an unparseable request is problem+json with a correlation id."""

    def send_400_response(self, msg: str) -> None:
        # A fresh context: the id must not leak into whatever else runs in the server's context.
        headers, body = contextvars.Context().run(_problem)
        event = h11.Response(
            status_code=400, headers=[*headers, (b"connection", b"close")], reason=b"Bad Request"
        )
        self.transport.write(self.conn.send(event))
        self.transport.write(self.conn.send(h11.Data(data=body)))
        self.transport.write(self.conn.send(h11.EndOfMessage()))
        self.transport.close()
