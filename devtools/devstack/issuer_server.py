"""`python -m devtools.devstack.issuer_server --dir DIR --port N`: the local token issuer's public keys
over HTTP, where a real identity provider publishes them, so the apps fetch them as they would in AWS.

Serves `/.well-known/jwks.json` (the JWKS, cacheable for 5 minutes), a minimal OpenID Provider
configuration at `/.well-known/openid-configuration` (issuer, jwks_uri, RS256) and `/health`.
The key is the one under DIR (created on first use, kept across restarts: devtools.devstack.issuer).
The issuer's name stays `https://issuer.foyer.local` (tokens minted before keep verifying), so the
configuration is published here rather than under the issuer's own host, as OpenID Discovery would.
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from devtools.devstack.issuer import LocalIssuer
from devtools.devstack.serving import serve_until_stopped

# Beside the payment sandbox's 8199, clear of the apps' 80xx/81xx and of `--port-offset`.
DEFAULT_PORT = 8198
JWKS_PATH = "/.well-known/jwks.json"
CONFIGURATION_PATH = "/.well-known/openid-configuration"


def jwks_url(port: int) -> str:
    """Where the issuer server on `port` publishes the JWKS."""
    return f"http://127.0.0.1:{port}{JWKS_PATH}"


def documents(issuer: LocalIssuer, port: int) -> dict[str, bytes]:
    """What the server answers, by path."""
    configuration = {
        "issuer": issuer.issuer,
        "jwks_uri": jwks_url(port),
        "id_token_signing_alg_values_supported": ["RS256"],
        "subject_types_supported": ["public"],
        "response_types_supported": ["id_token"],
    }
    return {
        JWKS_PATH: json.dumps(issuer.jwks()).encode(),
        CONFIGURATION_PATH: json.dumps(configuration).encode(),
        "/health": b'{"status": "ok", "service": "issuer"}',
    }


class _Handler(BaseHTTPRequestHandler):
    def __init__(self, served: dict[str, bytes], *args: Any) -> None:
        self.served = served
        super().__init__(*args)

    def do_GET(self) -> None:
        body = self.served.get(self.path.split("?", 1)[0])
        if body is None:
            problem = {
                "type": "about:blank",
                "title": "Not Found",
                "status": 404,
                "detail": "No such document.",
            }
            self._send(404, json.dumps(problem).encode(), "application/problem+json")
            return
        self._send(200, body, "application/json")

    def _send(self, status: int, body: bytes, media_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "public, max-age=300")  # the verifiers' own cache age
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        print(f"{self.command} {self.path} {args[1] if len(args) > 1 else ''}", flush=True)


def serve(directory: Path, host: str, port: int) -> ThreadingHTTPServer:
    """A server (not yet serving) publishing the keys of the issuer kept in `directory`."""
    issuer = LocalIssuer.ensure(directory)
    served: dict[str, bytes] = {}
    server = ThreadingHTTPServer((host, port), partial(_Handler, served))
    served.update(documents(issuer, server.server_address[1]))  # the port bound (0: any free one)
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.devstack.issuer_server", description=__doc__)
    parser.add_argument("--dir", type=Path, required=True, help="where the issuer's key is kept")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    server = serve(args.dir, args.host, args.port)
    print(f"issuer keys on {jwks_url(args.port)}", flush=True)
    return serve_until_stopped(server)


if __name__ == "__main__":
    sys.exit(main())
