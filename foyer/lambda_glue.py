"""Lambda entry points for ASGI apps: Mangum, with three of its defaults corrected.

1. REST API (v1) paths: `event.path` carries the stage prefix on some routes (custom domains without
   a base path mapping, some test consoles) and not on the execute-api URL. Mangum's
   `api_gateway_base_path` strips with a plain prefix match (`/prod` turns `/products/9` into
   `ucts/9`), so we strip the stage ourselves, only as a whole leading path segment.
2. The ASGI lifespan runs once per execution environment (Mangum runs it on every invocation).
3. An unhandled error is logged and counted (foyer.errors does both) and answered as problem+json;
   `application/problem+json` is declared as text so it is not base64-encoded.
"""

from __future__ import annotations

from typing import Any

from mangum import Mangum
from mangum.adapter import DEFAULT_TEXT_MIME_TYPES
from mangum.protocols import HTTPCycle, LifespanCycle
from mangum.types import ASGI, LambdaContext, LambdaEvent

from foyer.errors import MEDIA_TYPE

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
    return {**event, "path": strip_stage(event["path"], context.get("stage"))}


class LambdaAdapter(Mangum):
    """Mangum with the stage handled per segment and the lifespan run once per environment."""

    def __init__(self, app: ASGI) -> None:
        super().__init__(app, lifespan="off", api_gateway_base_path="/", text_mime_types=TEXT_MIME_TYPES)
        self._lifespan: LifespanCycle | None = None

    def _lifespan_state(self) -> dict[str, Any]:
        if self._lifespan is None:
            # Entered once and never exited: the environment is frozen or discarded by Lambda.
            cycle = LifespanCycle(self.app, "auto")
            cycle.__enter__()
            self._lifespan = cycle
        return dict(self._lifespan.lifespan_state)

    def __call__(self, event: LambdaEvent, context: LambdaContext) -> dict[str, Any]:
        handler = self.infer(normalize_rest_event(event), context)
        scope = handler.scope
        scope["state"] = self._lifespan_state()
        response = HTTPCycle(scope, handler.body)(self.app)
        return handler(response)


def make_handler(app: ASGI) -> LambdaAdapter:
    """The Lambda handler for one app: build it at import time, outside the handler function."""
    return LambdaAdapter(app)
