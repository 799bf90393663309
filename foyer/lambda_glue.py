"""Lambda entry points for ASGI apps: Mangum, with three of its defaults corrected.

1. REST API (v1) paths: `event.path` carries the stage prefix on some routes (custom domains without
   a base path mapping, some test consoles) and not on the execute-api URL. Mangum's
   `api_gateway_base_path` strips with a plain prefix match (`/prod` turns `/products/9` into
   `ucts/9`), so we strip the stage ourselves, only as a whole leading path segment.
2. The ASGI lifespan runs once per execution environment (Mangum runs it on every invocation).
3. An unhandled error is logged and counted (foyer.errors does both) and answered as problem+json;
   `application/problem+json` is declared as text so it is not base64-encoded. Starlette re-raises
   the error after answering; Mangum would log its stack trace a second time: not for errors that
   foyer.errors already reported.
4. An interpreter exit ends the lifespan first (tests, the bench, the local stack, an environment
   being recycled): a lifespan task still pending when the loop is collected makes asyncio log
   "Task was destroyed but it is pending!" as an ERROR.
5. Mangum's INFO chatter (an access line per invocation, lifespan steps) is off unless the `mangum`
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
from mangum.handlers import APIGateway
from mangum.protocols import HTTPCycle, LifespanCycle
from mangum.protocols.http import HTTPCycleState
from mangum.types import ASGI, LambdaContext, LambdaEvent, LambdaHandler, Response

from foyer import snapstart
from foyer.errors import MEDIA_TYPE, was_reported
from foyer.settings import platform
from foyer.startup import StartupError as StartupError  # re-exported: the HTTP handlers raise it at init

TEXT_MIME_TYPES = [*DEFAULT_TEXT_MIME_TYPES, MEDIA_TYPE]


def strip_stage(path: str, stage: str | None) -> str:
    """Drop a leading `/<stage>` segment: `/dev/products` -> `/products`, `/devices` stays."""
    if not stage or not path:
        return path or "/"
    prefix = f"/{stage}"
    if path == prefix:
        return "/"
    if path.startswith(prefix + "/"):
        return path[len(prefix) :]
    return path


def normalize_rest_event(event: LambdaEvent) -> LambdaEvent:
    """A shallow copy of a REST (v1) proxy event whose `path` has no stage prefix."""
    context = event.get("requestContext") or {}
    if "httpMethod" not in event or "path" not in event:
        return event
    path = strip_stage(event["path"], context.get("stage"))
    return event if path == event["path"] else {**event, "path": path}


def public_prefix(public_path: str | None, app_path: str) -> str:
    """What the client's URL has in front of the app's path: `/dev` for `/dev/products` -> `/products`.

    API Gateway puts the path the client used (stage or custom-domain base path included) in
    `requestContext.path`; the app path is its tail.
    """
    if not public_path:
        return ""
    public = public_path.rstrip("/") or "/"
    tail = app_path.rstrip("/") or "/"
    if tail == "/":
        return "" if public == "/" else public
    if public != tail and public.endswith(tail):
        return public[: -len(tail)]
    return ""


class _HTTPCycle(HTTPCycle):
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

    def infer(self, event: LambdaEvent, context: LambdaContext) -> LambdaHandler:
        """Mangum's handler for `event`, REST (v1) proxy events recognised first: they are what our
        HTTP apps receive (Mangum asks its ALB and HTTP API handlers before)."""
        if "resource" in event and "version" not in event and "requestContext" in event:
            return APIGateway(event, context, self.config)
        return super().infer(event, context)

    def __call__(self, event: LambdaEvent, context: LambdaContext) -> dict[str, Any]:
        handler = self.infer(normalize_rest_event(event), context)
        scope = handler.scope
        scope["state"] = self._lifespan_state()
        # ASGI: `path` includes `root_path`; routes match on the rest, while `Location` headers,
        # `url_for` and the docs page get the URL the client really used.
        root = public_prefix(event.get("requestContext", {}).get("path"), scope["path"])
        if root:
            scope["root_path"] = root
            scope["path"] = root + scope["path"]
        response = _HTTPCycle(scope, handler.body).serve(self.app, self._loop)
        return handler(response)

    def shutdown(self) -> None:
        """Run the lifespan shutdown, if it started (tests, the local stack; Lambda never does)."""
        cycle, self._lifespan = self._lifespan, None
        if cycle is not None:
            asyncio.set_event_loop(self._loop)
            cycle.__exit__(None, None, None)


def check_settings(load: Callable[[], object]) -> None:
    """Load settings now; a missing or invalid one raises StartupError naming it (env names, as set)."""
    from pydantic import ValidationError  # already imported by any app; kept out of this module's import

    try:
        load()
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg'].lower()}"
            for error in exc.errors()
        ]
        raise StartupError(f"{exc.title} cannot load: {'; '.join(problems)}") from None


def make_handler(app: ASGI, *, settings: Callable[[], object] | None = None) -> LambdaAdapter:
    """The Lambda handler for one app: build it at import time, outside the handler function.

    In a Lambda environment (Lambda sets `AWS_LAMBDA_FUNCTION_NAME` for every function) `settings`,
    the app's settings loader, runs now, so a missing setting fails the init with a message naming
    it instead of the first request. Elsewhere (tests that import a handler before they configure
    the environment, the local stack) settings load on first use. The handler is registered for
    SnapStart's runtime hooks (foyer.snapstart), which only the Lambda runtime calls.
    """
    if settings is not None and platform().in_lambda:
        check_settings(settings)
    adapter = LambdaAdapter(app)
    snapstart.register(adapter)
    return adapter
