"""devtools.devstack.http_protocol: a real uvicorn process answers malformed HTTP with a problem."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from devtools.devstack import processes, restapi
from devtools.devstack.apigateway import ACCOUNT_ID
from devtools.devstack.edge import Edge
from devtools.devstack.emulator import free_port
from devtools.devstack.gateway import Gateway, GatewayApp, uvicorn_config
from devtools.devstack.lambda_context import LambdaFunction
from foyer import correlation
from foyer.app import create_app
from foyer.errors import MEDIA_TYPE
from foyer.lambda_glue import make_handler
from tests.raw_http import send_raw

ROOT = Path(__file__).resolve().parents[2]
APP = "from foyer.app import create_app\napp = create_app('probe', title='probe')\n"
# Short deadlines, so a dribbling client is cut off within a test's patience.
TIMEOUTS = {"FOYER_HTTP_HEAD_TIMEOUT_S": "2", "FOYER_HTTP_BODY_TIMEOUT_S": "2"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """`uvicorn` started the way the local stack starts every app."""
    app_dir = tmp_path_factory.mktemp("probe_app")
    (app_dir / "probe_app.py").write_text(APP)
    port = free_port()
    argv = [*processes.uvicorn_argv("probe_app:app", port), "--app-dir", str(app_dir)]
    child = processes.start("probe", argv, env=processes.python_env(TIMEOUTS), cwd=str(ROOT))
    try:
        processes.wait_healthy(child, f"http://127.0.0.1:{port}/health", timeout=30)
        yield "127.0.0.1", port
    finally:
        child.stop()


def exchange(address: tuple[str, int], request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes; read until the server closes the connection."""
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        b"POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
        b"GET /health HTTP/1.1\r\nHost: x\r\nX-Note: a\x00b\r\n\r\n",
        b"GET /health HTTP/1.1\r\nHost: x\r\nX-Note: a\x0bb\r\n\r\n",
        b"GET /health HTTP/1.1\r\nHost: x\r\nX-Note\x07: ab\r\n\r\n",
        b"NOT HTTP AT ALL\r\n\r\n",
    ],
    ids=["negative-length", "doubled-length", "nul-in-value", "vt-in-value", "control-in-name", "garbage"],
)
def test_malformed_http_is_a_problem_with_a_correlation_id(
    server: tuple[str, int], request_bytes: bytes
) -> None:
    status, headers, body = exchange(server, request_bytes)
    assert status == 400
    assert headers["content-type"] == MEDIA_TYPE
    assert headers["connection"] == "close"
    problem = json.loads(body)
    assert problem["status"] == 400
    assert problem["title"] == "Bad Request"
    assert problem["correlation_id"] == headers[correlation.HEADER]
    assert len(body) == int(headers["content-length"])


def test_each_malformed_request_gets_its_own_id(server: tuple[str, int]) -> None:
    bad = b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"
    first = exchange(server, bad)[1][correlation.HEADER]
    second = exchange(server, bad)[1][correlation.HEADER]
    assert first != second


def test_a_good_request_still_reaches_the_app(server: tuple[str, int]) -> None:
    status, headers, body = exchange(server, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert correlation.HEADER in headers
    assert status == 200
    assert json.loads(body) == {"status": "ok", "service": "probe"}


# --- the same limits in both modes: a uvicorn app, and the local API Gateway in front of a handler ---

GATEWAY_API = restapi.RestApi(
    id="probeapi01",
    stage="local",
    resources=(
        restapi.Resource("root", "/", {"ANY": restapi.Method("ANY")}),
        restapi.Resource("proxy", "/{proxy+}", {"ANY": restapi.Method("ANY")}),
    ),
)


@pytest.fixture(scope="module")
def gateway_server() -> Iterator[tuple[str, int]]:
    """The local API Gateway (under uvicorn, as `make dev` serves it) in front of a real handler."""
    handler = make_handler(create_app("probe", title="probe"))
    edge = Edge(GATEWAY_API, region="eu-west-1", account_id=ACCOUNT_ID)
    function = LambdaFunction("probe", "arn:aws:lambda:eu-west-1:123456789012:function:probe", 30)
    gateway = Gateway(edge, handler, function, "eu-west-1")
    saved = {name: os.environ.get(name) for name in TIMEOUTS}
    os.environ.update(TIMEOUTS)
    server = uvicorn.Server(uvicorn_config(GatewayApp(gateway), free_port()))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield "127.0.0.1", server.config.port
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        handler.shutdown()
        for name, value in saved.items():
            os.environ.pop(name) if value is None else os.environ.__setitem__(name, value)


@pytest.fixture(params=["uvicorn", "gateway"])
def either(request: pytest.FixtureRequest) -> tuple[tuple[str, int], str]:
    """Each mode's server and the path of a route that answers 200 there."""
    if request.param == "uvicorn":
        return request.getfixturevalue("server"), "/health"
    return request.getfixturevalue("gateway_server"), "/local/health"


def _answers(raw: bytes) -> list[tuple[int, dict[str, list[str]], bytes]]:
    """Every response in `raw` (Content-Length framed), headers with all their values."""
    found = []
    while raw:
        head, _, rest = raw.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers: dict[str, list[str]] = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        length = int(headers.get("content-length", ["0"])[0])
        found.append((int(status_line.split()[1]), headers, rest[:length]))
        raw = rest[length:]
    return found


def _one_problem(raw: bytes, status: int) -> dict[str, Any]:
    answers = _answers(raw)
    assert len(answers) == 1, raw
    got, headers, body = answers[0]
    assert got == status, raw
    assert headers["content-type"] == [MEDIA_TYPE]
    assert len(headers["content-length"]) == 1  # one framing, never two Content-Length headers
    problem: dict[str, Any] = json.loads(body)
    assert problem["status"] == status
    assert problem["correlation_id"] == headers[correlation.HEADER][0]
    return problem


SINGLETON_CASES = {
    "authorization": b"Authorization: Bearer a\r\nAuthorization: Bearer b\r\n",
    "x-api-key": b"x-api-key: first\r\nX-Api-Key: second\r\n",
    "idempotency-key": b"Idempotency-Key: a\r\nIdempotency-Key: b\r\n",
    "host": b"Host: other\r\n",
    "content-length": b"Content-Length: 0\r\nContent-Length: 0\r\n",
    "content-length-list": b"Content-Length: 0, 0\r\n",
    "obs-fold": b"X-Note: first\r\n  folded\r\n",
}


@pytest.mark.parametrize("extra", SINGLETON_CASES.values(), ids=SINGLETON_CASES.keys())
def test_a_repeated_singleton_header_or_a_folded_one_is_a_400_problem_in_both_modes(
    either: tuple[tuple[str, int], str], extra: bytes
) -> None:
    address, path = either
    request = b"GET %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n" % (path.encode(), extra)
    problem = _one_problem(send_raw(address, request), 400)
    assert problem["title"] == "Bad Request"


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
        (b"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400),
        (b"GET {path}?" + b"q" * 12_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        (b"GET {path} HTTP/1.1\r\nHost: x\r\nX-Big: " + b"v" * 12_000 + b"\r\n\r\n", 431),
    ],
    ids=["negative-length", "word-length", "long-uri", "big-headers"],
)
def test_a_malformed_or_oversized_request_is_one_problem_in_both_modes(
    either: tuple[tuple[str, int], str], request_bytes: bytes, status: int
) -> None:
    address, path = either
    _one_problem(send_raw(address, request_bytes.replace(b"{path}", path.encode())), status)


def test_a_client_dribbling_its_head_gets_a_408_problem(either: tuple[tuple[str, int], str]) -> None:
    address, path = either
    request = b"GET %s HTTP/1.1\r\nHost: x\r\nX-Slow: " % path.encode() + b"a" * 200
    started = time.monotonic()
    _one_problem(send_raw(address, request, pace=0.05), 408)
    assert time.monotonic() - started < 8


def test_a_client_dribbling_its_body_gets_a_408_problem(either: tuple[tuple[str, int], str]) -> None:
    address, path = either
    request = b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n" % path.encode() + b"a" * 100
    started = time.monotonic()
    answers = _answers(send_raw(address, request, pace=0.03))
    assert time.monotonic() - started < 8  # the connection is closed, not held for the rest
    # The gateway reads the whole body first (a 408); the app may answer before reading it (a 405).
    assert [status for status, _, _ in answers] == [408 if path.startswith("/local") else 405]


def test_the_listen_backlog_is_uvicorns(either: tuple[tuple[str, int], str]) -> None:
    (_host, port), _ = either
    listening = subprocess.run(
        ["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert int(listening[2]) >= 2048  # ss shows a listening socket's backlog as its Send-Q


def test_a_head_dribbled_on_a_kept_alive_connection_gets_a_408_problem(
    either: tuple[tuple[str, int], str],
) -> None:
    address, path = either
    with socket.create_connection(address, timeout=8) as sock:
        sock.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path.encode())
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200"), first
        for byte in b"GET %s HTTP/1.1\r\nHost: x\r\nX-Slow: a" % path.encode():
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                break  # the server gave up on the head and closed
            time.sleep(0.1)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    _one_problem(received, 408)
