"""Fan-out as Lambda runs it: one invocation at a time, in process, through the Mangum handler.

The uvicorn bench (bench/fanout.py) measures a process serving many connections; a Lambda execution
environment serves one request at a time, so what counts there is one invocation's latency. Each
side is the fan-out route of bench/fanout_apps.py (three services answering after 20 ms) behind
foyer's Lambda adapter (foyer.lambda_glue.make_handler), fed REST API events back to back in a fresh
process per round, interleaved across sides:
- `foyer over httpx`: foyer.upstream over httpx's own transport (what the BFFs use in Lambda);
- `foyer over aiohttp`: the same over aiohttp under httpx's API (what they use under uvicorn);
- `aiohttp baseline`: the route written by hand over one aiohttp ClientSession.
Printed: p50 and p99 per invocation divided by 20 ms, and p50 against the baseline's.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

from rich.console import Console
from rich.table import Table

from bench.fanout import DELAY_MS, P50_TARGET, _free_port, _process, _quantile

# side -> (app in bench.fanout_apps, FOYER_HTTP_TRANSPORT)
SIDES = {
    "foyer over httpx": ("foyer_app", "httpx"),
    "foyer over aiohttp": ("foyer_app", "aiohttp"),
    "aiohttp baseline": ("aiohttp_app", "aiohttp"),
}


class _Context:
    """The part of a Lambda context the adapter and foyer.upstream.budget read."""

    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


def _invocations(app_name: str, calls: int, warmup: int) -> list[float]:
    """Seconds per invocation of `app_name`'s `GET /page` through the Lambda adapter."""
    from bench import fanout_apps
    from devtools.devstack.apigateway import rest_event
    from foyer.lambda_glue import make_handler

    handler = make_handler(getattr(fanout_apps, app_name))
    event, context = rest_event("GET", "/page", request_id="bench"), _Context()
    found = []
    for i in range(warmup + calls):
        start = time.perf_counter()
        answer = handler(event, context)
        if i >= warmup:
            found.append(time.perf_counter() - start)
        assert answer["statusCode"] == 200, answer
    return found


def measure(rounds: int = 3, calls: int = 300, warmup: int = 30) -> dict[str, list[float]]:
    """Interleaved rounds, each side in a fresh process per round; seconds per invocation."""
    ports = [_free_port() for _ in range(3)]
    found: dict[str, list[float]] = {name: [] for name in SIDES}
    with _process([sys.executable, "-m", "bench.fanout_apps", *map(str, ports)]) as upstream:
        assert upstream.stdout is not None
        upstream.stdout.readline()  # "ready"
        urls = json.dumps([f"http://127.0.0.1:{p}" for p in ports])
        for _ in range(rounds):
            for name, (app, transport) in SIDES.items():
                env = {
                    **os.environ,
                    "FANOUT_URLS": urls,
                    "LOG_LEVEL": "WARNING",
                    "FOYER_HTTP_TRANSPORT": transport,
                }
                argv = [sys.executable, "-m", "bench.fanout_lambda", app, str(calls), str(warmup)]
                done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
                found[name] += json.loads(done.stdout.strip().splitlines()[-1])
    return found


def run(console: Console, rounds: int = 3, calls: int = 300) -> dict[str, float]:
    """Measure and print the Lambda-shaped fan-out table; returns foyer's (httpx) p50 and p99 ratios."""
    with console.status("fan-out in Lambda: one invocation at a time through the Mangum handler"):
        sides = measure(rounds, calls)
    base = _quantile(sides["aiohttp baseline"], 0.5)
    table = Table(title=f"Fan-out in a Lambda process ({rounds} interleaved rounds of {calls} invocations)")
    for column in ("side", "p50 / 20 ms", "p99 / 20 ms", "p50 vs baseline"):
        table.add_column(column, justify="left" if column == "side" else "right")
    for name, latencies in sides.items():
        p50 = _quantile(latencies, 0.5)
        table.add_row(
            name,
            f"{p50 * 1000 / DELAY_MS:.3f}",
            f"{_quantile(latencies, 0.99) * 1000 / DELAY_MS:.2f}",
            f"{p50 / base:.3f}",
        )
    console.print(table)
    ours = sides["foyer over httpx"]
    p50, p99 = (_quantile(ours, q) * 1000 / DELAY_MS for q in (0.5, 0.99))
    console.print(
        f"foyer in Lambda (httpx's transport) p50 {p50:.3f} (target <= {P50_TARGET}: "
        f"{'met' if p50 <= P50_TARGET else 'missed'}), p99 {p99:.2f}",
        highlight=False,
    )
    return {"p50": p50, "p99": p99, "median_ms": statistics.median(ours) * 1000}


def _child(argv: list[str]) -> None:
    app, calls, warmup = argv
    print(json.dumps(_invocations(app, int(calls), int(warmup))))


if __name__ == "__main__":
    if len(sys.argv) > 1:  # python -m bench.fanout_lambda APP CALLS WARMUP: one side's process
        _child(sys.argv[1:])
    else:
        run(Console())
