"""The stack benches' headline figures (consumer overhead, order latency, fan-out), kept beside
dist/bench.json in dist/bench_runs.json so docs/performance.md can show them (bench.report).

dist/bench.json stays a list of the handlers' figures: `make cost` reads it in that shape.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import consumer_overhead, fanout

FILE_NAME = "bench_runs.json"


@dataclass(frozen=True)
class RunFigure:
    """One figure of a stack bench; `target` is a ceiling, or a floor when `at_least`."""

    figure: str
    value: float
    unit: str
    target: float | None = None
    at_least: bool = False

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.at_least else self.value <= self.target


@dataclass(frozen=True)
class Measure:
    """One stack bench: its figures, the module that measures them and what a figure is."""

    name: str
    source: str
    about: str
    figures: list[RunFigure] = field(default_factory=list)


def consumer_measure(report: consumer_overhead.Report) -> Measure:
    """The SQS poller's throughput against raw receive + delete."""
    return Measure(
        "SQS consumer overhead",
        "bench/consumer_overhead.py",
        f"One local SQS poller with a no-op handler against raw receive + delete, median of "
        f"{len(report.raw)} interleaved rounds of {report.messages} messages per side",
        [
            RunFigure("poller throughput", round(statistics.median(report.poller), 1), "msg/s"),
            RunFigure("raw receive + delete", round(statistics.median(report.raw), 1), "msg/s"),
            RunFigure("poller / raw", round(report.ratio, 3), "x", consumer_overhead.TARGET, at_least=True),
            RunFigure("poller's own time per message", round(report.own_ms_per_message, 3), "ms"),
        ],
    )


def order_measure(figures: dict[str, float], orders: int, provider_ms: int) -> Measure:
    """POST /orders to CONFIRMED through the whole local stack."""
    return Measure(
        "Order latency",
        "bench/order_latency.py",
        f"`POST /orders` to CONFIRMED through the local stack, {orders} orders, payment provider "
        f"answering after {provider_ms} ms",
        [RunFigure(name, round(value, 1), "ms") for name, value in figures.items()],
    )


def fanout_measure(figures: dict[str, float]) -> Measure:
    """A BFF route calling three 20 ms services, under uvicorn."""
    return Measure(
        "Fan-out under uvicorn",
        "bench/fanout.py",
        f"A route calling three services that each take {fanout.DELAY_MS:.0f} ms; latency divided by "
        f"{fanout.DELAY_MS:.0f} ms at one connection, requests per second against a hand-written "
        f"aiohttp route at {fanout.CONNECTIONS} connections",
        [
            RunFigure("p50 / 20 ms", round(figures["p50"], 3), "x", fanout.P50_TARGET),
            RunFigure("p99 / 20 ms", round(figures["p99"], 3), "x"),
            RunFigure("req/s vs aiohttp baseline", round(figures["rps"], 3), "x", fanout.RPS_TARGET, True),
        ],
    )


def fanout_lambda_measure(figures: dict[str, float]) -> Measure:
    """The same route as Lambda runs it: one invocation at a time through the Mangum handler."""
    return Measure(
        "Fan-out in a Lambda process",
        "bench/fanout_lambda.py",
        f"The fan-out route behind foyer's Lambda adapter over httpx's transport, one invocation at a "
        f"time; latency divided by {fanout.DELAY_MS:.0f} ms",
        [
            RunFigure("p50 / 20 ms", round(figures["p50"], 3), "x", fanout.P50_TARGET),
            RunFigure("p99 / 20 ms", round(figures["p99"], 3), "x"),
            RunFigure("median invocation", round(figures["median_ms"], 2), "ms"),
        ],
    )


def write_json(path: Path, measures: list[Measure]) -> None:
    """Write `measures` (with each figure's `met`) as dist/bench_runs.json."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = [{**asdict(m), "figures": [{**asdict(f), "met": f.met} for f in m.figures]} for m in measures]
    path.write_text(json.dumps(document, indent=2) + "\n")


def read_json(path: Path) -> list[dict[str, Any]]:
    """The measures of a dist/bench_runs.json, or none when the file is absent."""
    if not path.is_file():
        return []
    document: list[dict[str, Any]] = json.loads(path.read_text())
    return document
