"""Lambda entry points for ASGI apps: Mangum, with its defaults corrected where they cost or break.

1. REST API (v1) proxy events are read by foyer.rest_event (Mangum's handler, the stage stripped only
   as a whole path segment, the client's URL prefix as `root_path`, the event not copied).
2. The ASGI lifespan runs once per execution environment (Mangum runs it on every invocation).
3. An unhandled error is logged and counted (foyer.errors does both) and answered as problem+json;
   `application/problem+json` is declared as text so it is not base64-encoded. Starlette re-raises
   the error after answering; Mangum would log its stack trace a second time: not for errors that
   foyer.errors already reported.
4. An interpreter exit ends the lifespan first (tests, the bench, the local stack, an environment
   being recycled): a lifespan task still pending when the loop is collected makes asyncio log
   "Task was destroyed but it is pending!" as an ERROR.
5. The correlation id is echoed on the Lambda answer's header map (foyer.middleware.CorrelationId
   leaves it in the scope instead of wrapping `send`), and Mangum's per-request queue is not built
   (`_HTTPCycle`): with 1., a warm invocation costs less than a bare app's (docs/performance.md).
6. Mangum's INFO chatter (an access line per invocation, lifespan steps) is off unless the `mangum`
   logger is configured: Lambda's REPORT line and API Gateway's access log already say it, and
   formatting and shipping that JSON line cost about as much as the rest of a warm invocation.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
from collections.abc import Callable
from typing import Any

from mangum import Mangum
from mangum.adapter import DEFAULT_TEXT_MIME_TYPES
from mangum.exceptions import UnexpectedMessage
from mangum.protocols import HTTPCycle, LifespanCycle
from mangum.protocols.http import HTTPCycleState
from mangum.types import ASGI, LambdaContext, LambdaEvent, Message, Response, Scope

from foyer import correlation, snapstart
from foyer.errors import MEDIA_TYPE, was_reported
from foyer.rest_event import RestApiEvent
from foyer.startup import StartupError as StartupError  # re-exported: the HTTP handlers raise it at init
from foyer.startup import check_settings_in_lambda

TEXT_MIME_TYPES = [*DEFAULT_TEXT_MIME_TYPES, MEDIA_TYPE]


class _HTTPCycle(HTTPCycle):
    """Mangum's HTTP cycle without the per-request parts a Lambda invocation never uses.

    Mangum builds an `asyncio.Queue` (and looks its logger up) for every request, only to hand the app
    its one body message and, once the response is complete, a disconnect. Here the body is handed
    over directly and a future is made only if the app waits for the disconnect (a streaming
    response does). The error handling (500 answers, the logged stack trace) is Mangum's own `run`.
    """

    logger = logging.getLogger("mangum.http")

    def __init__(self, scope: Scope, body: bytes) -> None:  # Mangum's __init__ is what is replaced
        self.scope = scope
        self.state = HTTPCycleState.REQUEST
        self._request: Message | None = {"type": "http.request", "body": body, "more_body": False}
        self._chunks: list[bytes] = []
        self._disconnected: asyncio.Future[Message] | None = None

    def serve(self, app: ASGI, loop: asyncio.AbstractEventLoop) -> Response:
        """Mangum's `__call__` on the adapter's own loop, not on whichever loop is current."""
        loop.run_until_complete(self.run(app))
        return {"status": self.status, "headers": self.headers, "body": self.body}

    async def run(self, app: ASGI) -> None:
        try:
            await app(self.scope, self.receive, self.send)
        except BaseException as exc:
            if self.state is HTTPCycleState.COMPLETE and was_reported(exc):
                return  # answered, logged and counted by foyer.errors
            await super().run(_Reraise(exc))

    async def receive(self) -> Message:
        request, self._request = self._request, None
        if request is not None:
            return request
        if self.state is HTTPCycleState.COMPLETE:
            return _DISCONNECT
        if self._disconnected is None:
            self._disconnected = asyncio.get_running_loop().create_future()
        return await self._disconnected

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if self.state is HTTPCycleState.REQUEST and kind == "http.response.start":
            self.status = message["status"]
            self.headers = message.get("headers", [])
            self.state = HTTPCycleState.RESPONSE
        elif self.state is HTTPCycleState.RESPONSE and kind == "http.response.body":
            self._chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                chunks = self._chunks
                self.body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
                self.state = HTTPCycleState.COMPLETE
                if self._disconnected is not None and not self._disconnected.done():
                    self._disconnected.set_result(_DISCONNECT)
                if self.logger.isEnabledFor(logging.INFO):  # Mangum's access line, when asked for
                    self.logger.info("%s %s %s", self.scope["method"], self.scope["path"], self.status)
        else:
            raise UnexpectedMessage(f"Unexpected {kind}")


_DISCONNECT: Message = {"type": "http.disconnect"}


class _Reraise:
    """An ASGI app that raises `exc`: hands an escaped error to Mangum's own handling of it."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        raise self.exc


class LambdaAdapter(Mangum):
    """Mangum with the stage handled per segment, the public prefix as `root_path`, and the lifespan
    run once per environment."""

    def __init__(self, app: ASGI) -> None:
        super().__init__(app, lifespan="off", api_gateway_base_path="/", text_mime_types=TEXT_MIME_TYPES)
        self._lifespan: LifespanCycle | None = None
        # One loop for the life of the adapter: what the lifespan starts (clients, pools) is bound
        # to it. Requests run on it explicitly (Mangum would ask `asyncio.get_event_loop()`, and
        # anything that ran `asyncio.run()` in this thread since has left no current loop).
        self._loop = asyncio.new_event_loop()
        mangum_log = logging.getLogger("mangum")
        if mangum_log.level == logging.NOTSET:
            mangum_log.setLevel(logging.WARNING)

    def _lifespan_state(self) -> dict[str, Any]:
        if self._lifespan is None:
            # Entered once; ended at interpreter exit (or by shutdown()). The cycle takes the
            # current loop: make it ours.
            asyncio.set_event_loop(self._loop)
            cycle = LifespanCycle(self.app, "auto")
            cycle.__enter__()
            self._lifespan = cycle
            atexit.register(self.shutdown)  # idempotent; keeps the adapter until exit
        return dict(self._lifespan.lifespan_state)

    def __call__(self, event: LambdaEvent, context: LambdaContext) -> dict[str, Any]:
        # REST (v1) proxy events are what our HTTP apps receive (Mangum would ask its ALB and HTTP API
        # handlers first); anything else goes to Mangum's own handlers, the id echoed by `send`.
        rest = RestApiEvent.infer(event, context, self.config)
        handler = RestApiEvent(event, context, self.config) if rest else self.infer(event, context)
        scope = handler.scope
        scope["state"] = self._lifespan_state()
        if rest:
            scope[correlation.SCOPE_SLOT] = None  # foyer.middleware.CorrelationId leaves the id here
        answer = handler(_HTTPCycle(scope, handler.body).serve(self.app, self._loop))
        if rest:
            echo_correlation_id(answer, scope[correlation.SCOPE_SLOT])
        return answer

    def shutdown(self) -> None:
        """Run the lifespan shutdown, if it started (tests, the local stack; Lambda never does)."""
        cycle, self._lifespan = self._lifespan, None
        if cycle is not None:
            asyncio.set_event_loop(self._loop)
            cycle.__exit__(None, None, None)


def echo_correlation_id(answer: dict[str, Any], cid: str | None) -> None:
    """Add `x-correlation-id: cid` to a REST API answer that does not carry one yet (problem answers
    written before the middleware ran, and ServerErrorMiddleware's, included)."""
    if cid is None:
        return
    headers = answer["headers"]
    if correlation.HEADER not in headers and correlation.HEADER not in answer["multiValueHeaders"]:
        headers[correlation.HEADER] = cid


def make_handler(app: ASGI, *, settings: Callable[[], object] | None = None) -> LambdaAdapter:
    """The Lambda handler for one app: build it at import time, outside the handler function.

    In a Lambda environment (Lambda sets `AWS_LAMBDA_FUNCTION_NAME` for every function) `settings`,
    the app's settings loader, runs now, so a missing setting fails the init with a message naming
    it instead of the first request. Elsewhere (tests that import a handler before they configure
    the environment, the local stack) settings load on first use. The handler is registered for
    SnapStart's runtime hooks (foyer.snapstart), which only the Lambda runtime calls.
    """
    if settings is not None:
        check_settings_in_lambda(settings)
    adapter = LambdaAdapter(app)
    snapstart.register(adapter)
    return adapter
