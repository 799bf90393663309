"""Fan-out: a BFF route calling three services that each take 20 ms (`make bench`, not a test).

Printed: the route's p50 and p99 latency divided by 20 ms (one connection, so the figure is the
route's own overhead, not queueing; target p50 <= 1.15), and requests per second at 16 connections
divided by the same route written over a bare aiohttp ClientSession, measured in the same run,
interleaved (target >= 0.8). Both routes are FastAPI apps under the same uvicorn, so the ratio is
that of the fan-out code. httpx's own transport (the BFFs' in Lambda) is measured alongside; the
Lambda-shaped bench (one invocation at a time) is bench/fanout_lambda.py.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

import aiohttp
from rich.console import Console
from rich.table import Table

DELAY_MS = 20.0
P50_TARGET = 1.15
RPS_TARGET = 0.8
CONNECTIONS = 16
# side -> (app in bench.fanout_apps, FOYER_HTTP_TRANSPORT): foyer over both transports it can use.
SIDES = {
    "foyer": ("foyer_app", "aiohttp"),
    "aiohttp baseline": ("aiohttp_app", "aiohttp"),
    "foyer over httpx's transport": ("foyer_app", "httpx"),
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, deadline_s: float = 30.0) -> None:
    import urllib.request

    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


@contextmanager
def _process(argv: list[str], env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        argv, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _latencies(url: str, seconds: float, connections: int) -> list[float]:
    """Seconds per request, `connections` clients sending back to back for `seconds`."""
    found: list[float] = []
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:
        end = time.perf_counter() + seconds

        async def client() -> None:
            while time.perf_counter() < end:
                start = time.perf_counter()
                async with session.get(url) as response:
                    await response.read()
                    assert response.status == 200, response.status
                found.append(time.perf_counter() - start)

        await asyncio.gather(*(client() for _ in range(connections)))
    return found


@dataclass
class Side:
    single: list[float] = field(default_factory=list)  # latencies at one connection
    rps: list[float] = field(default_factory=list)  # one figure per round at CONNECTIONS


def _quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q * 100) - 1]


def measure(rounds: int = 3, seconds: float = 4.0) -> dict[str, Side]:
    """Interleaved rounds of every side: latency at one connection, throughput at CONNECTIONS."""
    ports = [_free_port() for _ in range(3)]
    sides = {name: Side() for name in SIDES}
    with ExitStack() as processes:
        upstream = processes.enter_context(
            _process([sys.executable, "-m", "bench.fanout_apps", *map(str, ports)])
        )
        assert upstream.stdout is not None
        upstream.stdout.readline()  # "ready"
        urls = '["' + '", "'.join(f"http://127.0.0.1:{p}" for p in ports) + '"]'
        pages = {}
        for name, (app, transport) in SIDES.items():
            port = _free_port()
            argv = [
                sys.executable,
                "-m",
                "uvicorn",
                f"bench.fanout_apps:{app}",
                "--port",
                str(port),
                "--no-access-log",
                "--log-level",
                "warning",
            ]
            env = {"FANOUT_URLS": urls, "LOG_LEVEL": "WARNING", "FOYER_HTTP_TRANSPORT": transport}
            processes.enter_context(_process(argv, env))
            pages[name] = f"http://127.0.0.1:{port}/page"
        for url in pages.values():
            _wait(url)
            asyncio.run(_latencies(url, 1.0, CONNECTIONS))  # warm-up
        for _ in range(rounds):
            for name, url in pages.items():
                sides[name].single += asyncio.run(_latencies(url, seconds / 2, 1))
                loaded = asyncio.run(_latencies(url, seconds, CONNECTIONS))
                sides[name].rps.append(len(loaded) / seconds)
    return sides


def run(console: Console, rounds: int = 3, seconds: float = 4.0) -> dict[str, float]:
    """Measure and print the fan-out table; returns the two ratios."""
    with console.status("fan-out: three 20 ms services behind one route"):
        sides = measure(rounds, seconds)
    ours, base = sides["foyer"], sides["aiohttp baseline"]
    p50 = _quantile(ours.single, 0.5) * 1000 / DELAY_MS
    p99 = _quantile(ours.single, 0.99) * 1000 / DELAY_MS
    rps = statistics.median(ours.rps) / statistics.median(base.rps)
    table = Table(title=f"Fan-out to three 20 ms services ({rounds} interleaved rounds of {seconds:.0f} s)")
    for column in ("side", "p50 / 20 ms", "p99 / 20 ms", f"req/s at {CONNECTIONS}", "vs baseline"):
        table.add_column(column, justify="left" if column == "side" else "right")
    for name, side in sides.items():
        table.add_row(
            name,
            f"{_quantile(side.single, 0.5) * 1000 / DELAY_MS:.3f}",
            f"{_quantile(side.single, 0.99) * 1000 / DELAY_MS:.2f}",
            f"{statistics.median(side.rps):.0f}",
            f"{statistics.median(side.rps) / statistics.median(base.rps):.2f}",
        )
    console.print(table)
    console.print(
        f"foyer p50 {p50:.3f} (target <= {P50_TARGET}: {'met' if p50 <= P50_TARGET else 'missed'}), "
        f"p99 {p99:.2f}; req/s {rps:.2f}x the aiohttp baseline (target >= {RPS_TARGET}: "
        f"{'met' if rps >= RPS_TARGET else 'missed'})",
        highlight=False,
    )
    return {"p50": p50, "p99": p99, "rps": rps}


if __name__ == "__main__":
    run(Console())
