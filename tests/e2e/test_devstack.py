"""`make dev` end to end: the README's command, real processes, real HTTP, a Ctrl-C that stops it all."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from devtools.devstack.emulator import EMULATOR_PORT
from devtools.devstack.issuer_server import DEFAULT_PORT as ISSUER_PORT
from devtools.devstack.issuer_server import jwks_url
from devtools.devstack.processes import uvicorn_argv
from devtools.devstack.stack import ROOT
from e2e.devstack import OFFSET, RunningStack, listening
from e2e.orders import place, sent, settled, settled_stock, stocked_sku, timeline_types

pytestmark = pytest.mark.integration


def test_every_app_answers_health(devstack: RunningStack) -> None:
    described = devstack.description
    assert {"catalog", "inventory"} <= described.apps.keys()
    assert described.apps.keys() == described.ports.keys()  # every app the apps map declares
    for name, url in described.apps.items():
        assert url == f"http://127.0.0.1:{described.port(name)}"
        response = httpx.get(f"{url}/health", timeout=5)
        assert response.status_code == 200, name
        assert response.json()["service"] == name


def test_stack_file_describes_what_terraform_created(devstack: RunningStack) -> None:
    described = devstack.description
    assert described.emulator.endpoint == f"http://127.0.0.1:{EMULATOR_PORT + OFFSET}"
    assert set(described.tables) >= {"catalog", "inventory"}


def test_demo_catalog_is_seeded_with_stock(devstack: RunningStack) -> None:
    apps = devstack.description.apps
    skus: list[str] = []
    cursor = None
    while True:
        params = {"limit": "10", **({"cursor": cursor} if cursor else {})}
        page = httpx.get(f"{apps['catalog']}/products", params=params, timeout=10).json()
        skus += [item["sku"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(set(skus)) >= 20
    availability = httpx.get(
        f"{apps['inventory']}/availability", params=[("sku", s) for s in skus[:5]], timeout=10
    )
    assert availability.status_code == 200
    assert len(availability.json()["items"]) == 5


def test_an_app_started_alone_with_uvicorn_finds_the_stack(devstack: RunningStack, tmp_path: Path) -> None:
    """No AWS variables at all: the app reads endpoint, region and table from the stack file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FOYER_", "TABLE_NAME"))}
    env["FOYER_STACK_FILE"] = str(devstack.stack_file)
    free = devstack.description.port("catalog") + 50
    alone = subprocess.Popen(uvicorn_argv("services.catalog.app:app", free), cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{free}/products?limit=3", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("uvicorn alone never answered")
        assert response.status_code == 200, response.text
        assert len(response.json()["items"]) == 3
    finally:
        alone.terminate()
        alone.wait(10)


# The order flow: an order placed over HTTP travels the saga (outbox relays, the bus, queues polled
# as Lambda polls them, the payment sandbox) and ends in a terminal state.
def test_an_order_is_reserved_charged_once_confirmed_and_told(devstack: RunningStack) -> None:
    apps = devstack.description.apps
    sku = stocked_sku(apps, 5)
    placed = place(apps, sku, 2)
    order_id = placed.json()["order_id"]
    order = settled(apps, order_id)
    assert (order["status"], [step["status"] for step in order["history"]]) == (
        "CONFIRMED",
        ["PENDING", "RESERVED", "CONFIRMED"],
    )
    # OrderConfirmed reaches inventory after the order reads CONFIRMED: the two units are committed (sold).
    assert settled_stock(apps, sku, (3, 0)) == (3, 0)
    payment = httpx.get(f"{apps['payments']}/payments/{order_id}", timeout=10).json()
    assert (payment["status"], payment["attempts"], payment["amount"]["amount"]) == ("authorized", 1, 2500)
    assert timeline_types(apps, order_id, 4) == [
        "OrderPlaced",
        "StockReserved",
        "PaymentAuthorized",
        "OrderConfirmed",
    ]
    notices = sent(apps, order_id, 2)
    assert sorted(notice["kind"] for notice in notices) == ["email", "sns"]
    assert all(notice["event_type"] == "OrderConfirmed" for notice in notices)
    # The request's correlation id is on the log lines of every consumer the order touched.
    correlation_id = placed.headers["x-correlation-id"]
    touched = {line.split("|", 1)[0].strip() for line in devstack.lines if correlation_id in line}
    assert {"inventory-stock", "payments-charges", "orders-saga", "orders-timeline"} <= touched


def test_an_order_beyond_the_stock_is_cancelled_and_holds_nothing(devstack: RunningStack) -> None:
    apps = devstack.description.apps
    sku = stocked_sku(apps, 1)
    order_id = place(apps, sku, 2).json()["order_id"]
    order = settled(apps, order_id)
    assert (order["status"], order["cancel_reason"]) == ("CANCELLED", "out_of_stock")
    stock = httpx.get(f"{apps['inventory']}/stock/{sku}", timeout=10).json()
    assert (stock["available"], stock["reserved"]) == (1, 0)
    assert httpx.get(f"{apps['payments']}/payments/{order_id}", timeout=10).status_code == 404
    assert timeline_types(apps, order_id, 3) == ["OrderPlaced", "StockShortage", "OrderCancelled"]


# The BFFs under uvicorn, calling the running services over real HTTP (the aiohttp transport).
def test_the_bffs_aggregate_the_running_services(devstack: RunningStack) -> None:
    apps = devstack.description.apps
    sku = stocked_sku(apps, 7)
    detail = httpx.get(f"{apps['web']}/products/{sku}", timeout=10).json()
    assert (detail["product"]["sku"], detail["available"], detail["degraded"]) == (sku, 7, [])
    assert httpx.get(f"{apps['web']}/home", timeout=10).json()["degraded"] == []
    screen = httpx.get(f"{apps['mobile']}/products/{sku}", headers={"X-App-Version": "1.0.0"}, timeout=10)
    assert (screen.json()["available"], screen.headers["etag"].startswith('"')) == (7, True)
    refused = httpx.get(f"{apps['partner']}/v1/products", timeout=10)
    assert (refused.status_code, refused.headers["content-type"]) == (403, "application/problem+json")


def test_a_partners_reference_is_kept_by_orders(devstack: RunningStack) -> None:
    """Through the partner BFF under uvicorn with the demo key: the reference read back is the one
    the orders service stored, in the order and in the listing."""
    described = devstack.description
    assert described.demo is not None
    key = {"x-api-key": str(described.demo.partner_api_key)}
    apps, reference = described.apps, f"PO-e2e {time.time_ns()}"
    body = {"lines": [{"sku": stocked_sku(apps, 3), "quantity": 1}], "reference": reference}
    placed = httpx.post(
        f"{apps['partner']}/v1/orders",
        json=body,
        headers={**key, "Idempotency-Key": reference.replace(" ", "-")},
        timeout=10,
    )
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    assert httpx.get(f"{apps['orders']}/orders/{order_id}", timeout=10).json()["reference"] == reference
    seen = httpx.get(f"{apps['partner']}/v1/orders/{order_id}", headers=key, timeout=10).json()
    assert seen["reference"] == reference


def test_the_issuers_keys_are_served_over_http_and_verify_the_demo_token(devstack: RunningStack) -> None:
    """The apps read the JWKS as they would an identity provider's: over HTTP, from the stack's issuer."""
    described = devstack.description
    assert described.identity is not None
    assert described.demo is not None
    assert described.identity.jwks_url == jwks_url(ISSUER_PORT + OFFSET)
    assert httpx.get(described.identity.jwks_url, timeout=5).json()["keys"]
    token = {"Authorization": f"Bearer {described.demo.user_token}"}
    mine = httpx.get(f"{described.apps['web']}/me/orders", headers=token, timeout=10)
    assert mine.status_code == 200, mine.text
    gateway = httpx.get(f"{described.gateway['web']}/me/orders", headers=token, timeout=10)
    assert gateway.status_code == 200, gateway.text


@pytest.mark.stops_the_stack
def test_ctrl_c_stops_everything(devstack: RunningStack) -> None:
    """Runs after every test of the stack (e2e/conftest.py): Ctrl-C leaves no process and no
    listener behind."""
    described = devstack.description
    ports = [described.port(name) for name in described.apps] + [
        EMULATOR_PORT + OFFSET,
        ISSUER_PORT + OFFSET,
    ]
    below = devstack.descendants()
    assert len(below) >= len(described.apps) + 2  # the stack itself, the emulator, every app
    before = len(devstack.lines)
    devstack.interrupt()
    time.sleep(0.5)
    assert any("stopping" in line for line in devstack.lines), "".join(devstack.lines[-30:])
    # Every child stops before the emulator it talks to: none logs a failed call on the way out.
    after = "".join(devstack.lines[before:])
    assert "Traceback" not in after, after[-3000:]
    assert [p for p in ports if listening(p)] == []
    # A zombie has exited and holds nothing but its pid until PID 1 reaps it; in this sandbox PID 1
    # may reap late (seen: an `sh` reparented to 1 by a library's helper), so only live ones count.
    left = {pid: _command(pid) for pid in below if Path(f"/proc/{pid}").exists()}
    assert {pid: command for pid, command in left.items() if not command.startswith(("Z ", "gone"))} == {}
    assert not devstack.stack_file.exists()


def _command(pid: int) -> str:
    """What a process runs, and its state (a zombie still has a /proc entry until it is reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "gone"
    name, rest = stat.split("(", 1)[1].rsplit(")", 1)
    state, parent = rest.split()[:2]
    return f"{state} {name} (parent {parent}) {command.strip()}"
