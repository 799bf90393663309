"""Order latency: time from `POST /orders` to CONFIRMED through the whole local stack (`make dev` on
its own ports), p50 and p99 of 50 orders, with the payment sandbox answering after 50 ms.

Orders are placed 5 at a time (a shop's trickle, not a load test) and followed by polling
`GET /orders/{id}` every 20 ms, so a figure is late by at most one poll. Beside the figures, the
waits the local runtime is configured with, read from the emulator where Terraform created them:
each queue mapping's batching window, the outbox relays' round interval, and how the pollers wait;
a reader sees which part of the time is the stack's configured waiting and which part is ours.
Below them, the median of each wait on the saga's critical path (bench/latency_breakdown.py), read
from the orders' timelines and the consumers' log lines.
"""

from __future__ import annotations

import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import boto3
import httpx
from rich.console import Console
from rich.table import Table

from bench.latency_breakdown import OrderTrace, handled_events, medians, order_parts
from devtools.devstack import relays, sqs_poller
from devtools.devstack.__main__ import READY
from devtools.devstack.consumers import sqs_mappings
from devtools.devstack.payment_sandbox.__main__ import DEFAULT_PORT as SANDBOX_PORT
from foyer.contracts import OrderConfirmed
from foyer.stack_file import LocalStack

ORDERS = 50
CONCURRENCY = 5
PROVIDER_LATENCY_MS = 50
POLL_S = 0.02
OFFSET = 2000  # beside a developer's `make dev` and the test suite's stack
START_TIMEOUT_S = 300
ORDER_TIMEOUT_S = 60


def _start(root: Path, state_dir: Path, lines: list[str]) -> tuple[subprocess.Popen[str], LocalStack]:
    argv = [
        sys.executable,
        "-m",
        "devtools.devstack",
        "--state-dir",
        str(state_dir),
        "--port-offset",
        str(OFFSET),
    ]
    process = subprocess.Popen(
        argv, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:  # drained to the end, so the stack never blocks on its pipe
            lines.append(line)
            if READY in line:
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    ready.wait(START_TIMEOUT_S)
    stack = LocalStack.read(state_dir / "stack.json")
    if process.poll() is not None or stack is None:
        raise RuntimeError("the local stack did not start")
    return process, stack


def _confirmed_after(apps: dict[str, str], sku: str) -> OrderTrace:
    body = {
        "customer_id": f"bench-{uuid.uuid4().hex[:8]}",
        "contact_email": "bench@example.com",
        "lines": [{"sku": sku, "quantity": 1}],
        "channel": "web",
    }
    with httpx.Client(timeout=10) as client:
        posted = time.time()  # wall clock: compared with the stamps the stack writes
        started = time.perf_counter()
        placed = client.post(f"{apps['orders']}/orders", json=body)
        placed.raise_for_status()
        order_url = f"{apps['orders']}/orders/{placed.json()['order_id']}"
        while time.perf_counter() - started < ORDER_TIMEOUT_S:
            status = client.get(order_url).json()["status"]
            if status == "CONFIRMED":
                seen = posted + time.perf_counter() - started
                return OrderTrace(posted=posted, confirmed_seen=seen, steps=_steps(client, order_url))
            if status == "CANCELLED":
                raise RuntimeError(f"{order_url} was cancelled")
            time.sleep(POLL_S)
    raise RuntimeError(f"{order_url} not confirmed within {ORDER_TIMEOUT_S} s")


def _steps(client: httpx.Client, order_url: str) -> dict[str, tuple[str, float]]:
    """The order's timeline as `type -> (event id, written at)`, once it shows the confirmation (the
    projection is a consumer of its own: it may lag the order's status)."""
    deadline = time.perf_counter() + ORDER_TIMEOUT_S
    while True:
        steps = {
            step["type"]: (step["event_id"], datetime.fromisoformat(step["at"]).timestamp())
            for step in client.get(f"{order_url}/timeline").json()["steps"]
        }
        if OrderConfirmed.event_type in steps or time.perf_counter() > deadline:
            return steps
        time.sleep(POLL_S)


def _configured_waits(stack: LocalStack) -> list[tuple[str, str]]:
    lambda_client = boto3.client(
        "lambda",
        endpoint_url=stack.endpoint,
        region_name=stack.region,
        aws_access_key_id=stack.emulator.access_key_id,
        aws_secret_access_key=stack.emulator.secret_access_key,
    )
    waits = [("outbox relay round (each of 4 hops)", f"{relays.INTERVAL_SECONDS * 1000:.0f} ms at most")]
    for mapping in sqs_mappings(lambda_client):
        name = mapping["FunctionArn"].split(":")[6]
        window = float(mapping.get("MaximumBatchingWindowInSeconds", 0))
        waits.append((f"{name}: batching window", f"{window * 1000:.0f} ms"))
    waits.append(("idle poller long poll (a message wakes it at once)", f"{sqs_poller.IDLE_WAIT_SECONDS} s"))
    waits.append(("provider latency (sandbox)", f"{PROVIDER_LATENCY_MS} ms"))
    waits.append(("client poll of GET /orders/{id}", f"{POLL_S * 1000:.0f} ms"))
    return waits


def run(console: Console, root: Path) -> dict[str, float]:
    """Start a stack, time 50 orders to CONFIRMED, print p50/p99 beside the configured waits; returns
    p50, p99 and max in ms."""
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="foyer-bench-") as state:
        with console.status("order latency: starting the local stack"):
            process, stack = _start(root, Path(state), lines)
        try:
            sandbox = f"http://127.0.0.1:{SANDBOX_PORT + OFFSET}/_sandbox/behaviour"
            httpx.post(sandbox, json={"latency_ms": PROVIDER_LATENCY_MS}, timeout=5).raise_for_status()
            apps = stack.apps
            sku = f"BENCH-{uuid.uuid4().hex[:8].upper()}"
            product = {
                "sku": sku,
                "name": "Bench",
                "price": {"amount": 100, "currency": "EUR"},
                "category": "b",
            }
            httpx.post(f"{apps['catalog']}/products", json=product, timeout=10).raise_for_status()
            httpx.put(
                f"{apps['inventory']}/stock/{sku}", json={"available": ORDERS}, timeout=10
            ).raise_for_status()
            status = console.status(f"order latency: {ORDERS} orders, {CONCURRENCY} at a time")
            with status, ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
                traces = list(pool.map(lambda _: _confirmed_after(apps, sku), range(ORDERS)))
            waits = _configured_waits(stack)
            time.sleep(1.0)  # the consumers' last lines reach us through the stack's pipe
        finally:
            process.send_signal(signal.SIGINT)  # Ctrl-C: the stack stops everything it started
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
    seconds = sorted(trace.confirmed_seen - trace.posted for trace in traces)
    p50 = statistics.median(seconds) * 1000
    p99 = statistics.quantiles(seconds, n=100, method="inclusive")[98] * 1000
    table = Table(title=f"POST /orders -> CONFIRMED, {ORDERS} orders, {PROVIDER_LATENCY_MS} ms provider")
    for column in ("figure", "value"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    table.add_row("p50", f"{p50:.0f} ms")
    table.add_row("p99", f"{p99:.0f} ms")
    table.add_row("max", f"{seconds[-1] * 1000:.0f} ms")
    for what, value in waits:
        table.add_row(f"[dim]configured: {what}[/]", f"[dim]{value}[/]")
    console.print(table)
    handled = handled_events(list(lines))
    parts = [found for trace in traces if (found := order_parts(trace, handled)) is not None]
    breakdown = Table(
        title=f"where the time goes: median of each wait, {len(parts)} of {ORDERS} orders traced"
    )
    breakdown.add_column("wait")
    breakdown.add_column("p50", justify="right")
    for part, median in medians(parts).items():
        breakdown.add_row(part, f"{median * 1000:.0f} ms")
    console.print(breakdown)
    return {"p50": p50, "p99": p99, "max": seconds[-1] * 1000}
