"""Pure ASGI middlewares (no BaseHTTPMiddleware: it costs a task and a copy per request)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from foyer import correlation
from foyer.errors import problem_response

_HEADER = correlation.HEADER.encode()
_SLOT = correlation.SCOPE_SLOT


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class CorrelationId:
    """Adopt the caller's `x-correlation-id` (or API Gateway's request id, or a new one) and echo it.

    A server that offers `correlation.SCOPE_SLOT` in the scope (the Lambda adapter) gets the id there
    and echoes it itself; otherwise `send` is wrapped to add the header to the response.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        candidate = _header(scope, _HEADER)
        if candidate is None and "aws.event" in scope:
            candidate = scope["aws.event"].get("requestContext", {}).get("requestId")
        cid = correlation.accept(candidate)
        correlation.set_current(cid)
        if _SLOT in scope:
            scope[_SLOT] = cid
            await self.app(scope, receive, send)
            return

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", ())
                # Problem responses written outside this middleware already carry it. ASGI header
                # names are lower-case; a plain loop: this runs on every response, and copying the
                # list to scan it with any() would cost more per warm Lambda call.
                for key, _ in headers:
                    if key == _HEADER:
                        break
                else:
                    message["headers"] = [*headers, (_HEADER, cid.encode())]
            await send(message)

        await self.app(scope, receive, send_with_id)


class BodyTooLarge(HTTPException):
    """Raised from `receive` once a body without a (truthful) Content-Length passes the limit.

    An HTTPException on purpose: FastAPI turns any other exception raised while it reads the body
    into a 400 "error parsing the body", but re-raises HTTPExceptions, so this one reaches
    foyer.errors and leaves as a 413 problem.
    """

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"The request body exceeds {max_bytes} bytes.")


class BodyLimit:
    """Refuse request bodies over `max_bytes` with 413 before the app parses them."""

    def __init__(self, app: ASGIApp, max_bytes: int = 64 * 1024) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        event = scope.get("aws.event")
        if event is not None and len(event.get("body") or "") <= self.max_bytes:
            # In Lambda the whole body is in the event (base64 is never shorter than the bytes it
            # encodes): nothing to count. Saves two wrappers on every warm invocation.
            await self.app(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._reject(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._reject(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"The request body exceeds {self.max_bytes} bytes."
        await problem_response(413, detail)(scope, receive, send)


class _RepeatedKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RepeatedKey(key)
            seen.add(key)
    return found


def repeated_key(body: bytes) -> str | None:
    """The first key that some object of the JSON document `body` repeats, if any.

    None too when `body` is not JSON at all: FastAPI answers that with its own 400.
    """
    try:
        json.loads(body, object_pairs_hook=_unique_pairs)
    except _RepeatedKey as repeated:
        return repeated.key
    except (ValueError, RecursionError):
        return None
    return None


def _is_json(content_type: str | None) -> bool:
    # The media types FastAPI parses as JSON: application/json and application/*+json.
    if content_type is None:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class UniqueJsonKeys:
    """Refuse a JSON body in which one object repeats a key: 400, naming the key.

    Python's json (and so FastAPI) keeps the last of repeated keys silently, so `{"amount": 1,
    "amount": 1000}` would mean whatever the last parser in a chain decides. The body is read here
    (it is bounded by BodyLimit outside this middleware) and replayed to the app unchanged.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        event = scope.get("aws.event")
        if (
            scope["type"] != "http"
            or (event is not None and not event.get("body"))  # Lambda: no body, nothing to read
            or not _is_json(_header(scope, b"content-type"))
        ):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        key = repeated_key(b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request"))
        if key is not None:
            shown = key if len(key) <= 64 else key[:64] + "..."
            detail = f"The request body repeats the key {shown!r} in one object."
            await problem_response(400, detail, key=shown)(scope, receive, send)
            return
        pending = iter(messages)

        async def replay() -> Message:
            message = next(pending, None)
            return message if message is not None else await receive()

        await self.app(scope, replay, send)


# Headers whose one value decides who calls, what is replayed or how the body is framed: a second copy
# would mean whichever value the next parser in the chain picks.
SINGLETON_HEADERS = (b"authorization", b"x-api-key", b"idempotency-key", b"host", b"content-length")


def repeated_singleton(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The first of SINGLETON_HEADERS that `headers` (ASGI's, lower-case names) repeats, if any."""
    seen: set[bytes] = set()
    for name, value in headers:
        if name in SINGLETON_HEADERS:
            if name in seen or (name == b"content-length" and b"," in value):
                return name.decode("latin-1")
            seen.add(name)
    return None


class SingletonHeaders:
    """Refuse a request that repeats a header only one value of may be trusted: 400, naming it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        repeated = None
        if scope["type"] == "http":
            event = scope.get("aws.event")
            # Mangum joins an event's repeated header into one value with ", ": the repeats are
            # only countable in the event's multiValueHeaders.
            pairs = (
                [
                    (k.lower().encode("latin-1", "replace"), v.encode("latin-1", "replace"))
                    for k, vs in multi.items()
                    for v in vs
                ]
                if event is not None and isinstance(multi := event.get("multiValueHeaders"), dict)
                else scope.get("headers", ())
            )
            repeated = repeated_singleton(pairs)
        if repeated is None:
            await self.app(scope, receive, send)
            return
        detail = f"The header {repeated!r} is sent more than once; send it once."
        await problem_response(400, detail, header=repeated)(scope, receive, send)
