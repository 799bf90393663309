"""foyer.devstack.http_protocol: a real uvicorn process answers malformed HTTP with a problem."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from foyer import correlation
from foyer.devstack import processes
from foyer.devstack.emulator import free_port
from foyer.errors import MEDIA_TYPE

ROOT = Path(__file__).resolve().parents[2]
APP = "from foyer.app import create_app\napp = create_app('probe', title='probe')\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """`uvicorn` started the way the local stack starts every app."""
    app_dir = tmp_path_factory.mktemp("probe_app")
    (app_dir / "probe_app.py").write_text(APP)
    port = free_port()
    argv = [*processes.uvicorn_argv("probe_app:app", port), "--app-dir", str(app_dir)]
    child = processes.start("probe", argv, env=processes.python_env({}), cwd=str(ROOT))
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
