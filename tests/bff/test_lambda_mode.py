"""The three BFFs in Lambda mode: through the local gateway built from the session's stack file
(Terraform's APIs, the real authorizer, the demo partner's key and usage plan in the emulator, the
demo user's token from the local issuer) to their real Mangum handlers, with real identity: no test
caller stands in."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.devstack import processes
from devtools.devstack.emulator import free_port
from devtools.devstack.gateway import Gateway, build
from devtools.devstack.stack import LocalStack
from foyer import aws
from foyer.dynamodb import Table
from foyer.identity.dependencies import current_partner, current_user, get_partners
from foyer.identity.partners import EmulatorKeys, KeyDirectory
from foyer.identity.plans import UsageMeter
from tests.bff.conftest import APPS, Wiring
from tests.raw_http import send_raw

pytestmark = pytest.mark.integration


class Frozen:
    """A clock that does not move: the bronze plan's burst of 5 is exactly 5 requests."""

    def __call__(self) -> float:
        return 1_800_000_000.0


@pytest.fixture
def gateways(stack: LocalStack, bffs: Wiring) -> dict[str, Gateway]:
    partners = KeyDirectory(lambda: Table(stack.tables["partner"]))
    for app in APPS.values():
        app.dependency_overrides.pop(current_user)  # the real dependencies, in their Lambda branch
        app.dependency_overrides.pop(current_partner)
        app.dependency_overrides[get_partners] = lambda: partners
    return {name: build(stack, name, meter=UsageMeter(Frozen())) for name in ("web", "mobile", "partner")}


def call(
    gateway: Gateway, method: str, path: str, body: Any = None, **headers: str
) -> tuple[int, dict[str, str], Any]:
    payload = json.dumps(body).encode() if body is not None else b""
    if body is not None:
        headers["Content-Type"] = "application/json"
    status, answer_headers, raw = gateway.serve(method, f"/local{path}", headers, payload, "127.0.0.1")
    return status, {k.lower(): v for k, v in answer_headers.items()}, json.loads(raw) if raw else None


def bearer(stack: LocalStack) -> str:
    assert stack.demo is not None
    assert stack.demo.user_token is not None
    return f"Bearer {stack.demo.user_token}"


def test_the_stack_file_describes_every_bff_api_and_the_demo_credentials(stack: LocalStack) -> None:
    assert set(stack.apis) == {"web", "mobile", "partner"}
    assert (stack.apis["web"].authorizer, stack.apis["partner"].api_key_required) == (True, True)
    assert not stack.apis["partner"].authorizer
    assert stack.demo is not None
    assert stack.demo.partner_api_key
    demo = EmulatorKeys(lambda: aws.client("apigateway")).lookup(stack.demo.partner_api_key)
    assert demo is not None  # issued as every partner key is, under the bronze plan
    assert (demo.partner.partner_id, demo.plan is not None) == ("demo-partner", True)
    assert KeyDirectory(lambda: Table(stack.tables["partner"])).get(demo.partner.api_key_id) == demo.partner


def test_web_journey_signed_in_through_the_authorizer(
    stack: LocalStack, gateways: dict[str, Gateway], catalog_items: dict[str, str]
) -> None:
    web = gateways["web"]
    status, _, home = call(web, "GET", "/home", Authorization=bearer(stack))
    assert status == 200, home
    order = {"contact_email": "ada@example.com", "lines": [{"sku": catalog_items["coffee"], "quantity": 1}]}
    status, headers, placed = call(
        web, "POST", "/checkout", order, Authorization=bearer(stack), **{"Idempotency-Key": str(uuid.uuid4())}
    )
    assert status == 201, placed
    assert headers["location"] == f"/local/me/orders/{placed['order_id']}"  # the stage is in the URL
    status, _, mine = call(web, "GET", f"/me/orders/{placed['order_id']}", Authorization=bearer(stack))
    assert status == 200, mine
    status, _, listed = call(web, "GET", "/me/orders", Authorization=bearer(stack))
    assert status == 200
    assert placed["order_id"] in json.dumps(listed)


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic YWRhOnB3"])
def test_web_and_mobile_refuse_a_missing_or_bad_token_at_the_edge(
    gateways: dict[str, Gateway], authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    for name in ("web", "mobile"):
        status, answer_headers, body = call(gateways[name], "GET", "/me/orders", **headers)
        assert status == 401, (name, body)
        assert answer_headers["content-type"] == "application/problem+json"
        assert answer_headers["www-authenticate"].startswith("Bearer")


def test_mobile_home_signed_in(stack: LocalStack, gateways: dict[str, Gateway]) -> None:
    status, _, body = call(
        gateways["mobile"], "GET", "/home", Authorization=bearer(stack), **{"X-App-Version": "9.9.9"}
    )
    assert status == 200, body


def test_partner_journey_with_the_demo_key(
    stack: LocalStack, gateways: dict[str, Gateway], catalog_items: dict[str, str]
) -> None:
    assert stack.demo is not None
    key = {"x-api-key": str(stack.demo.partner_api_key)}
    partner = gateways["partner"]
    status, _, products = call(partner, "GET", "/v1/products", **key)
    assert status == 200, products
    order = {"lines": [{"sku": catalog_items["coffee"], "quantity": 1}], "reference": "PO-1 lambda"}
    status, _, placed = call(
        partner, "POST", "/v1/orders", order, **key, **{"Idempotency-Key": str(uuid.uuid4())}
    )
    assert status == 201, placed
    order_id = placed.get("order_id") or placed.get("id")
    status, _, seen = call(partner, "GET", f"/v1/orders/{order_id}", **key)
    assert (status, seen["reference"]) == (200, "PO-1 lambda"), seen
    status, _, listed = call(partner, "GET", "/v1/orders?limit=100", **key)
    assert [o["reference"] for o in listed["items"] if o["order_id"] == order_id] == ["PO-1 lambda"]


@pytest.mark.parametrize("headers", [{}, {"x-api-key": "guessed-key"}], ids=["no key", "unknown key"])
def test_partner_without_a_valid_key_is_403(gateways: dict[str, Gateway], headers: dict[str, str]) -> None:
    status, answer_headers, body = call(gateways["partner"], "GET", "/v1/products", **headers)
    assert (status, answer_headers["content-type"], body["status"]) == (403, "application/problem+json", 403)


def test_a_burst_over_the_demo_partners_plan_gets_429_with_retry_after(
    stack: LocalStack, gateways: dict[str, Gateway]
) -> None:
    assert stack.demo is not None
    key = {"x-api-key": str(stack.demo.partner_api_key)}
    statuses = [call(gateways["partner"], "GET", "/v1/products?limit=1", **key)[0] for _ in range(5)]
    assert statuses == [200] * 5  # bronze: burst 5 (terraform/environments/local, var.partner_tiers)
    status, headers, body = call(gateways["partner"], "GET", "/v1/products?limit=1", **key)
    # The gateway's own THROTTLED response, as the API declares it in the emulator.
    assert (status, headers["retry-after"], headers["content-type"]) == (429, "1", "application/problem+json")
    assert body["status"] == 429


def test_each_route_is_guarded_as_the_api_in_the_emulator_declares_its_method(
    stack: LocalStack, gateways: dict[str, Gateway]
) -> None:
    """Whatever rest_api declares: a method with authorization NONE answers without a token, a
    CUSTOM one is the gateway's 401 without it (the BFF is never reached)."""
    for name in ("web", "mobile"):
        api = gateways[name].api
        for path in ("/health", "/home", "/openapi.json", "/me/orders"):
            for method in ("GET", "OPTIONS"):
                route = api.route(method, path)
                status, _, _ = call(gateways[name], method, path, **{"Origin": "http://localhost:3000"})
                if route is None:
                    assert status == 403, (name, method, path)
                elif route.method.authorization_type == "CUSTOM":
                    assert status == 401, (name, method, path, status)
                else:
                    assert status != 401, (name, method, path, status)


# --- `python -m devtools.devstack.gateway` as `make dev` starts it, over real sockets ---------------


@pytest.fixture(scope="module")
def partner_gateway(stack: LocalStack, stack_state_dir: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = processes.python_env(
        {
            **stack.aws_env(),
            "FOYER_ENV": "local",
            "FOYER_STACK_FILE": str(stack_state_dir / "stack.json"),
            "FOYER_SERVICE": "partner",
            "FOYER_HTTP_TRANSPORT": "httpx",
        }
    )
    argv = [sys.executable, "-m", "devtools.devstack.gateway", "partner", "--port", str(port)]
    child = processes.start("partner-gw", argv, env=env, cwd=str(Path(__file__).resolve().parents[2]))
    try:
        processes.wait_healthy(child, f"http://127.0.0.1:{port}/health", timeout=60)
        yield "127.0.0.1", port
    finally:
        child.stop()


def _statuses(raw: bytes) -> list[int]:
    return [int(status) for status in re.findall(rb"HTTP/1\.1 (\d{3}) ", raw)]


def test_a_chunked_body_reaches_the_bff_like_a_framed_one_and_the_next_request_is_served(
    stack: LocalStack, partner_gateway: tuple[str, int]
) -> None:
    assert stack.demo is not None
    # A body only the BFF's own middleware refuses (a repeated key, 400 naming it): no I/O behind it.
    body = b'{"reference": "PO-1", "reference": "PO-chunked"}'
    head = (
        f"POST /{stack.apis['partner'].stage}/v1/orders HTTP/1.1\r\nHost: x\r\n"
        f"x-api-key: {stack.demo.partner_api_key}\r\nIdempotency-Key: {uuid.uuid4()}\r\n"
        "Content-Type: application/json\r\n"
    ).encode()
    framed = send_raw(
        partner_gateway, head + b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    chunked = b"Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    after = b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    answer = send_raw(partner_gateway, head + chunked + after)
    assert (_statuses(framed), _statuses(answer)) == ([400], [400, 200]), answer
    assert b"repeats the key 'reference'" in framed
    assert b"repeats the key 'reference'" in answer  # the chunked body reached the BFF whole


@pytest.mark.parametrize("method", ["TRACE", "FOO", "CONNECT"])
def test_trace_and_unknown_methods_are_the_gateways_403_problem(
    stack: LocalStack, partner_gateway: tuple[str, int], method: str
) -> None:
    target = "x:443" if method == "CONNECT" else f"/{stack.apis['partner'].stage}/v1/products"
    answer = send_raw(
        partner_gateway, f"{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    )
    head, _, _body = answer.partition(b"\r\n\r\n")
    assert _statuses(answer)[0] in {400, 403}, answer
    assert b"application/problem+json" in head.lower() or b"application/json" in head.lower(), answer


@pytest.mark.parametrize(
    "extra",
    [
        b"x-api-key: {key}\r\nx-api-key: guessed\r\n",
        b"x-api-key: {key}\r\nAuthorization: a\r\nAuthorization: b\r\n",
        b"x-api-key: {key}\r\nIdempotency-Key: a\r\nIdempotency-Key: b\r\n",
        b"x-api-key: {key}\r\nContent-Length: 0\r\nContent-Length: 0\r\n",
        b"x-api-key: {key}\r\nX-Note: a\r\n folded\r\n",
    ],
    ids=["x-api-key", "authorization", "idempotency-key", "content-length", "obs-fold"],
)
def test_a_repeated_singleton_header_is_a_400_problem_at_the_gateway(
    stack: LocalStack, partner_gateway: tuple[str, int], extra: bytes
) -> None:
    assert stack.demo is not None
    extra = extra.replace(b"{key}", str(stack.demo.partner_api_key).encode())
    target = f"/{stack.apis['partner'].stage}/v1/products?limit=1".encode()
    answer = send_raw(
        partner_gateway, b"GET %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n" % (target, extra)
    )
    head = answer.partition(b"\r\n\r\n")[0].lower()
    assert _statuses(answer) == [400], answer
    assert b"application/problem+json" in head
    assert head.count(b"content-length:") == 1


@pytest.mark.parametrize("length", [b"-1", b"abc"])
def test_a_bad_content_length_is_one_problem_and_never_hangs(
    partner_gateway: tuple[str, int], length: bytes
) -> None:
    started = time.monotonic()
    answer = send_raw(
        partner_gateway, b"POST /local/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Length: %s\r\n\r\n" % length
    )
    head = answer.partition(b"\r\n\r\n")[0].lower()
    assert (_statuses(answer), head.count(b"content-length:")) == ([400], 1), answer
    assert b"application/problem+json" in head
    assert time.monotonic() - started < 5


def test_twenty_simultaneous_connections_are_all_answered(
    stack: LocalStack, partner_gateway: tuple[str, int]
) -> None:
    sockets = [socket.create_connection(partner_gateway, timeout=20) for _ in range(40)]
    try:
        for sock in sockets:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answers = []
        for sock in sockets:
            received = b""
            while chunk := sock.recv(65536):
                received += chunk
            answers.append(_statuses(received))
    finally:
        for sock in sockets:
            sock.close()
    assert answers == [[200]] * 40
    listening = subprocess.run(
        ["ss", "-ltnH", f"sport = :{partner_gateway[1]}"], capture_output=True, text=True, check=True
    )
    assert int(listening.stdout.split()[2]) >= 2048  # ss shows a listening socket's backlog as its Send-Q
