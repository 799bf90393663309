"""The local API Gateway (Lambda mode): `python -m devtools.devstack.gateway <bff> --port N`.

Serves one BFF the way API Gateway and Lambda serve it in AWS, from the REST API Terraform created
in the emulator (devtools.devstack.restapi): each request selects a resource and method as API Gateway
selects them, passes what that method declares (devtools.devstack.edge: its validator, its Lambda
authorizer, its API key and usage plan), becomes a REST proxy event (devtools.devstack.apigateway) and
is handed to the BFF's real Lambda handler (Mangum) with a Lambda context counting down the
function's timeout. What the gateway answers itself is rendered from the gateway responses the API
declares. Invocations run one at a time, as in one Lambda execution environment.

It is an ASGI app under uvicorn with devtools.devstack.http_protocol (the limits and refusals every
local server shares; chunked bodies; a listen backlog of 2048).
"""

from __future__ import annotations

import argparse
import base64
import importlib
import json
import os
import re
import sys
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import uvicorn
from starlette.types import Message, Receive, Scope, Send

from devtools.devstack import restapi
from devtools.devstack.apigateway import ACCOUNT_ID, API_ID, rest_event
from devtools.devstack.edge import AuthorizerHandler, Edge, Refusal
from devtools.devstack.http_protocol import ProblemH11Protocol, head_problem
from devtools.devstack.lambda_context import LambdaFunction
from foyer.identity.partners import EmulatorKeys, KeyLookup
from foyer.identity.plans import UsageMeter, stack_usage_meter
from foyer.stack_file import LocalStack

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
Headers = Sequence[tuple[str, str]]
Reply = tuple[int, dict[str, str], bytes]
FUNCTION_TIMEOUT_S = 30.0  # lambda_app's default timeout
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit (REQUEST_TOO_LARGE above it)
# What API Gateway routes on: a host name with an optional port (Mangum reads `host[:port]` into the
# ASGI `server` and fails on anything else, an IPv6 literal included).
VALID_HOST = re.compile(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?")
# Set by API Gateway on every request, whatever the client sent (X-Forwarded-For is appended to).
GATEWAY_SET = frozenset({"x-forwarded-port", "x-forwarded-proto"})


def load_handler(dotted: str) -> Handler:
    """`package.module.attribute` -> the attribute (a handler named in Terraform's outputs)."""
    module, _, attribute = dotted.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module), attribute)
    return handler


def _pairs(headers: Mapping[str, str] | Headers) -> list[tuple[str, str]]:
    return list(headers.items()) if isinstance(headers, Mapping) else list(headers)


class Gateway:
    """One BFF behind its REST API: `serve(method, target, headers, body, ip)` -> (status, headers, body)."""

    def __init__(self, edge: Edge, handler: Handler, function: LambdaFunction, region: str) -> None:
        self.edge = edge
        self.api = edge.api
        self.handler = handler
        self.function = function
        self.region = region
        self._one_at_a_time = threading.Lock()

    def serve(
        self, method: str, target: str, headers: Mapping[str, str] | Headers, body: bytes, source_ip: str
    ) -> Reply:
        """API Gateway's answer to one request: the gateway's own, or the integration's."""
        pairs = _pairs(headers)
        single = {name: value for name, value in pairs}  # the last of each name, as API Gateway's map
        url = urlsplit(target)
        stage = self.api.stage
        path = url.path[len(stage) + 1 :] or "/"
        context: dict[str, Any] = {
            "requestId": str(uuid.uuid4()),
            "extendedRequestId": uuid.uuid4().hex[:16],
            "httpMethod": method,
            "path": url.path,
            "identity.sourceIp": source_ip,
            "domainName": f"{API_ID}.execute-api.{self.region}.amazonaws.com",
        }

        def refuse(refusal: Refusal) -> Reply:
            message: dict[str, Any] = {}
            if refusal.message is not None:
                message = {
                    "error.message": refusal.message,
                    "error.messageString": json.dumps(refusal.message),
                }
            answer = self.api.answer(refusal.response_type, {**context, **message}, single)
            return answer.status, {**answer.headers, **refusal.headers}, answer.body

        reason = head_problem(
            b"\r\n".join([b"", *(f"{k}: {v}".encode("latin-1", "replace") for k, v in pairs)])
        )
        if reason is not None:
            return refuse(Refusal("BAD_REQUEST_PARAMETERS", reason))
        if url.path != f"/{stage}" and not url.path.startswith(f"/{stage}/"):
            return refuse(Refusal("MISSING_AUTHENTICATION_TOKEN"))
        host = next((value for name, value in pairs if name.lower() == "host"), None)
        if host is not None and not VALID_HOST.fullmatch(host):
            return refuse(
                Refusal("BAD_REQUEST_PARAMETERS", "The Host header is not a host name with an optional port.")
            )
        route = self.api.route(method, path)
        if route is None:
            return refuse(Refusal("MISSING_AUTHENTICATION_TOKEN"))
        context["resourcePath"] = route.resource.path
        context["resourceId"] = route.resource.id
        kept = [(name, value) for name, value in pairs if name.lower() not in GATEWAY_SET]
        try:
            admitted = self.edge.admit(route, method, path, dict(kept))
        except Refusal as refused:
            return refuse(refused)
        if route.method.mock is not None:
            mocked = route.method.mock.render(single)
            return mocked.status, mocked.headers, mocked.body
        text: str | bytes | None = None
        if body:
            try:
                text = body.decode()
            except UnicodeDecodeError:
                text = body  # binary: base64-encoded in the event, as for binary media types
        event = rest_event(
            method,
            path,
            stage=stage,
            headers=dict(kept),
            multi_headers=kept,
            query=parse_qs(url.query, keep_blank_values=True),
            body=text,
            source_ip=source_ip,
            region=self.region,
            authorizer=admitted.authorizer,
            api_key_id=admitted.api_key_id,
            request_id=context["requestId"],
            resource=route.resource.path,
            resource_id=route.resource.id,
            path_parameters=route.path_parameters,
        )
        with self._one_at_a_time:
            try:
                answer = self.handler(event, self.function.context())
                return _http_response(answer)
            except Exception:
                # A function error, or an answer that is not a proxy response: API Gateway's 502.
                _, headers, payload = refuse(Refusal("INTEGRATION_FAILURE", "Internal server error"))
                return 502, headers, payload


def _http_response(answer: dict[str, Any]) -> Reply:
    raw = answer.get("body") or ""
    body = base64.b64decode(raw) if answer.get("isBase64Encoded") else raw.encode()
    headers = dict(answer.get("headers") or {})
    for name, values in (answer.get("multiValueHeaders") or {}).items():
        headers[name] = ", ".join(values)
    for name in [name for name in headers if name.lower() == "content-length"]:
        del headers[name]  # the server frames the body it sends
    return int(answer["statusCode"]), headers, body


def _authorizer_handlers(stack: LocalStack, api: restapi.RestApi) -> dict[str, AuthorizerHandler]:
    """Each authorizer's handler: the function its URI names (by Terraform's outputs)."""
    functions = [*([stack.authorizer] if stack.authorizer else []), *stack.functions.values()]
    handlers: dict[str, AuthorizerHandler] = {}
    for authorizer in api.authorizers.values():
        # `...:function:<name>[:<alias or version>]/invocations`: the function by its name.
        named = re.search(r":function:([^:/]+)", authorizer.uri)
        for function in functions:
            if named is not None and named.group(1) == function.function_name:
                handlers[authorizer.id] = load_handler(function.handler)
                break
    return handlers


def build(
    stack: LocalStack, name: str, meter: UsageMeter | None = None, keys: KeyLookup | None = None
) -> Gateway:
    """The gateway of BFF `name` as the REST API in the emulator describes it (`meter`: a test's)."""
    from foyer import aws
    from foyer.identity.settings import IdentitySettings

    declared = stack.apis[name]
    client = aws.client("apigateway", IdentitySettings())
    api = restapi.read(client, declared.id, declared.stage)
    if keys is None and any(m.api_key_required for r in api.resources for m in r.methods.values()):
        keys = EmulatorKeys(lambda: aws.client("apigateway", IdentitySettings()))
    # The stack's one meter, shared with the BFF under uvicorn: one meter per key, as API Gateway has.
    meter = meter or stack_usage_meter()
    edge = Edge(
        api,
        region=stack.region,
        account_id=ACCOUNT_ID,
        authorizers=_authorizer_handlers(stack, api),
        keys=keys,
        meter=meter,
    )
    function = stack.functions[name]
    lambda_function = LambdaFunction(function.function_name, function.arn, FUNCTION_TIMEOUT_S)
    return Gateway(edge, load_handler(function.handler), lambda_function, stack.region)


class GatewayApp:
    """The gateway as an ASGI app: `/health` outside the stage for the local stack, the API inside."""

    def __init__(self, gateway: Gateway, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.gateway = gateway
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        method: str = scope["method"]
        if scope["path"] == "/health" and method in {"GET", "HEAD"}:
            await _reply(send, method, (200, {"Content-Type": "application/json"}, b'{"status":"ok"}'))
            return
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        target = scope["raw_path"].decode("latin-1")
        if scope["query_string"]:
            target += "?" + scope["query_string"].decode("latin-1")
        body = await _read(receive, self.max_body_bytes)
        if body is None:
            reply = self._too_large(method, target, headers)
        else:
            client = scope.get("client") or ("127.0.0.1", 0)
            reply = await anyio.to_thread.run_sync(
                self.gateway.serve, method, target, headers, body, client[0]
            )
        await _reply(send, method, reply)

    def _too_large(self, method: str, target: str, headers: Headers) -> Reply:
        context = {"requestId": str(uuid.uuid4()), "httpMethod": method, "path": urlsplit(target).path}
        answer = self.gateway.api.answer("REQUEST_TOO_LARGE", context, dict(headers))
        return answer.status, {**answer.headers, "Connection": "close"}, answer.body


async def _read(receive: Receive, limit: int) -> bytes | None:
    """The whole request body (chunked or not), or None once it passes `limit`."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _reply(send: Send, method: str, reply: Reply) -> None:
    status, headers, body = reply
    raw: list[tuple[bytes, bytes]] = [
        (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()
    ]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})


def uvicorn_config(app: Any, port: int, **overrides: Any) -> uvicorn.Config:
    """How every local gateway is served (the same protocol and limits as the apps)."""
    options: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "http": ProblemH11Protocol,
        "backlog": 2048,
        "timeout_keep_alive": 5,
        "access_log": False,
        "lifespan": "on",
        "log_level": "warning",
        **overrides,
    }
    return uvicorn.Config(app, **options)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.devstack.gateway", description=__doc__)
    parser.add_argument("bff", help="the BFF to serve (a key of the stack file's apis)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--stack-file", type=Path, default=Path(os.environ.get("FOYER_STACK_FILE", ".local/stack.json"))
    )
    args = parser.parse_args(argv)
    stack = LocalStack.read(args.stack_file)
    if stack is None or args.bff not in stack.apis:
        print(f"{args.stack_file} describes no API for {args.bff!r}", file=sys.stderr)
        return 2
    server = uvicorn.Server(uvicorn_config(GatewayApp(build(stack, args.bff)), args.port))
    server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
