"""API Gateway REST (v1) proxy events as ASGI requests: Mangum's `APIGateway`, with foyer's path rules.

- `event.path` carries the stage prefix on some routes (custom domains without a base path mapping,
  some consoles) and not on the execute-api URL; the stage is stripped only as a whole leading
  segment (Mangum's `api_gateway_base_path` strips a plain prefix: `/prod` turns `/products/9` into
  `ucts/9`).
- What the client's URL has in front of the app's path (`/dev` for `/dev/products`) becomes the ASGI
  `root_path` (and the front of `path`, as ASGI wants), so `Location` headers, `url_for` and the docs
  page get the URL the client really used.

Everything else (headers, query string, body, the answer) is Mangum's own; the event is not copied.
HTTP API events carry `version` (payload 1.0 also has `resource`): they stay Mangum's `HTTPGateway`'s.
"""

from __future__ import annotations

from mangum.handlers import APIGateway
from mangum.types import LambdaConfig, LambdaContext, LambdaEvent, Scope


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


class RestApiEvent(APIGateway):
    """Mangum's REST (v1) handler, its scope's path read with foyer's rules (the module's docstring)."""

    @classmethod
    def infer(cls, event: LambdaEvent, context: LambdaContext, config: LambdaConfig) -> bool:
        return "resource" in event and "requestContext" in event and "version" not in event

    @property
    def scope(self) -> Scope:
        scope = super().scope  # its path unquoted, nothing stripped (api_gateway_base_path "/")
        request_context = self.event["requestContext"]
        path = strip_stage(scope["path"], request_context.get("stage"))
        root = public_prefix(request_context.get("path"), path)
        scope["path"] = root + path
        scope["root_path"] = root
        return scope
