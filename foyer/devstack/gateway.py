"""The local API Gateway (Lambda mode): `python -m foyer.devstack.gateway <bff> --port N`.

Serves one BFF the way API Gateway and Lambda serve it in AWS: each request becomes a REST proxy event
(foyer.devstack.apigateway), passes the edge (foyer.devstack.edge: the real authorizer handler, the API
keys and usage plans Terraform created in the emulator), and is handed to the BFF's real Lambda
handler (Mangum) with a Lambda context counting down the function's timeout. Everything comes from
the stack file (Terraform's outputs): the API's stage and guards, the handlers, the key mapping.
Invocations run one at a time, as in one Lambda execution environment.
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
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from foyer.devstack.apigateway import ACCOUNT_ID, rest_event
from foyer.devstack.edge import Edge
from foyer.devstack.lambda_context import LambdaFunction
from foyer.devstack.serving import serve_until_stopped
from foyer.identity import IdentityError
from foyer.identity.partners import EmulatorKeys
from foyer.identity.plans import UsageMeter, stack_usage_meter
from foyer.identity.problems import PROBLEMS
from foyer.stack_file import LocalStack

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
FUNCTION_TIMEOUT_S = 30.0  # lambda_app's default timeout
# What API Gateway routes on: a host name with an optional port (Mangum reads `host[:port]` into the
# ASGI `server` and fails on anything else, an IPv6 literal included).
VALID_HOST = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
# Set by API Gateway on every request, whatever the client sent (X-Forwarded-For is appended to).
GATEWAY_SET = frozenset({"x-forwarded-port", "x-forwarded-proto"})


def load_handler(dotted: str) -> Handler:
    """`package.module.attribute` -> the attribute (a handler named in Terraform's outputs)."""
    module, _, attribute = dotted.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module), attribute)
    return handler


def problem(status: int, title: str, detail: str) -> tuple[int, dict[str, str], bytes]:
    """A refusal the gateway itself answers, as problem+json."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return status, {"Content-Type": "application/problem+json"}, json.dumps(body).encode()


def refusal(error: IdentityError) -> tuple[int, dict[str, str], bytes]:
    """The answer to a request the edge refuses: the same problem+json the BFFs answer."""
    response = PROBLEMS.lookup(error).response(error)
    return response.status_code, dict(response.headers), bytes(response.body)


class Gateway:
    """One BFF behind its edge: `serve(method, target, headers, body)` -> (status, headers, body)."""

    def __init__(self, edge: Edge, handler: Handler, function: LambdaFunction, region: str) -> None:
        self.edge = edge
        self.handler = handler
        self.function = function
        self.region = region
        self._one_at_a_time = threading.Lock()

    def serve(
        self, method: str, target: str, headers: dict[str, str], body: bytes, source_ip: str
    ) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(target)
        stage = self.edge.api.stage
        if url.path != f"/{stage}" and not url.path.startswith(f"/{stage}/"):
            return problem(404, "Not Found", f"This API is served under /{stage}.")
        host = next((value for name, value in headers.items() if name.lower() == "host"), None)
        if host is not None and not VALID_HOST.match(host):
            return problem(400, "Bad Request", "The Host header is not a host name with an optional port.")
        headers = {name: value for name, value in headers.items() if name.lower() not in GATEWAY_SET}
        path = url.path[len(stage) + 1 :] or "/"
        try:
            admitted = self.edge.admit(method, path, headers)
        except IdentityError as refused:
            return refusal(refused)
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
            headers=headers,
            query=parse_qs(url.query, keep_blank_values=True),
            body=text,
            source_ip=source_ip,
            region=self.region,
            authorizer=admitted.authorizer,
            api_key_id=admitted.api_key_id,
        )
        with self._one_at_a_time:
            answer = self.handler(event, self.function.context())
        return _http_response(answer)


def _http_response(answer: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    raw = answer.get("body") or ""
    body = base64.b64decode(raw) if answer.get("isBase64Encoded") else raw.encode()
    headers = dict(answer.get("headers") or {})
    for name, values in (answer.get("multiValueHeaders") or {}).items():
        headers[name] = ", ".join(values)
    headers.pop("content-length", None)
    headers.pop("Content-Length", None)
    return int(answer["statusCode"]), headers, body


def build(stack: LocalStack, name: str, meter: UsageMeter | None = None) -> Gateway:
    """The gateway of BFF `name` as the stack file describes it (`meter`: a test's, with its clock)."""
    api = stack.apis[name]
    authorizer = load_handler(stack.authorizer.handler) if api.authorizer and stack.authorizer else None
    keys = None
    if api.api_key_required:
        from foyer import aws
        from foyer.identity.settings import IdentitySettings

        keys = EmulatorKeys(lambda: aws.client("apigateway", IdentitySettings()))
    # The stack's one meter, shared with the BFF under uvicorn: one meter per key, as API Gateway has.
    meter = meter or stack_usage_meter()
    edge = Edge(
        api, region=stack.region, account_id=ACCOUNT_ID, authorizer=authorizer, keys=keys, meter=meter
    )
    function = stack.functions[name]
    lambda_function = LambdaFunction(function.function_name, function.arn, FUNCTION_TIMEOUT_S)
    return Gateway(edge, load_handler(function.handler), lambda_function, stack.region)


def _request_handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Request(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.path == "/health":
                status, headers, payload = 200, {"Content-Type": "application/json"}, b'{"status":"ok"}'
            else:
                status, headers, payload = gateway.serve(
                    self.command, self.path, dict(self.headers.items()), body, self.client_address[0]
                )
            self.send_response(status)
            for header, value in headers.items():
                self.send_header(header, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

        def log_message(self, format: str, *args: Any) -> None:
            return  # API Gateway's access log is not needed locally; the BFF logs each request

    return Request


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m foyer.devstack.gateway", description=__doc__)
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
    server = ThreadingHTTPServer(("127.0.0.1", args.port), _request_handler(build(stack, args.bff)))
    return serve_until_stopped(server)


if __name__ == "__main__":
    sys.exit(main())
