"""Cold start (import + init) and warm invocation of the catalog's Lambda handler vs bare FastAPI+Mangum.

Both are measured in the same run, in fresh interpreters, A/B interleaved so drift hits both alike:
- init: `import <handler module>` in a fresh process (median of `runs`), wall and CPU time; the
  interpreter's own start-up is the same for both and left out.
- first call: the first invocation after init (lifespan start-up included), reported, no target.
- warm invocation: median per-call time of `calls` REST API `GET /health` events after `warmup`
  calls, in-process, median over `rounds` fresh processes each.
- optional: `GET /products/<sku>` against the emulator when AWS_ENDPOINT_URL and BENCH_PRODUCT_SKU
  are set (absolute time only; the bare app has no such route).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.events import rest_event
from bench.layout import BARE_MODULE, BARE_OFF_MODULE, Layout, prepare

CHILD = (Path(__file__).parent / "child.py").read_text()
INIT_TARGET = 1.10
CALL_TARGET = 1.20

# What a Lambda function's environment looks like to the code (no stack file, no real keys needed).
LAMBDA_ENV = {
    "AWS_REGION": "eu-west-1",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_LAMBDA_FUNCTION_NAME": "foyer-bench-catalog",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
    "FOYER_ENV": "bench",
    "FOYER_SERVICE": "catalog",
    "FOYER_STACK_FILE": "/nonexistent/stack.json",
    "TABLE_NAME": "foyer-bench-catalog",
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "PYTHONDONTWRITEBYTECODE": "1",
}


@dataclass
class Row:
    metric: str
    foyer: float
    baseline: float | None
    unit: str
    target: float | None

    @property
    def ratio(self) -> float | None:
        return self.foyer / self.baseline if self.baseline else None

    @property
    def passed(self) -> bool | None:
        ratio = self.ratio
        return None if ratio is None or self.target is None else ratio <= self.target


@dataclass
class Report:
    rows: list[Row]
    description: list[str]
    runs: int
    calls: int
    rounds: int


class Runner:
    def __init__(self, layout: Layout, workdir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.layout = layout
        self.workdir = workdir
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **LAMBDA_ENV, **(extra_env or {})}
        self._n = 0

    def event_file(self, event: dict[str, Any]) -> Path:
        self._n += 1
        path = self.workdir / f"event-{self._n}.json"
        path.write_text(json.dumps(event))
        return path

    def run(
        self,
        which: str,
        mode: str,
        event_file: Path,
        calls: int = 0,
        warmup: int = 0,
        env: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        module, paths = {
            "foyer": (self.layout.foyer_module, self.layout.foyer_paths),
            "bare": (BARE_MODULE, self.layout.bare_paths),
            "bare-off": (BARE_OFF_MODULE, self.layout.bare_paths),
        }[which]
        result_file = self.workdir / "result.json"
        result_file.unlink(missing_ok=True)
        proc = subprocess.run(
            [self.layout.python, *self.layout.flags, "-c", CHILD, str(result_file), module, mode,
             str(calls), str(warmup), str(event_file), *paths],
            env={**self.env, **(env or {})},
            stdout=subprocess.DEVNULL,  # the JSON log lines Lambda would ship to CloudWatch
            stderr=subprocess.PIPE,
            text=True,
            timeout=600,
            check=False,
        )  # fmt: skip
        if proc.returncode != 0 or not result_file.exists():
            raise RuntimeError(f"{which} {mode} run failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(result_file.read_text())
        if result["status"] != 200:
            raise RuntimeError(f"{which}: the benchmarked request answered {result['status']}, not 200")
        return result


def interleaved(runs: int, sides: tuple[str, ...] = ("foyer", "bare")) -> Iterator[str]:
    """Each side once per run, the order rotating so no side always goes first."""
    for i in range(runs):
        yield from sides[i % len(sides) :] + sides[: i % len(sides)]


def measure(root: Path, runs: int = 15, calls: int = 3000, warmup: int = 300, rounds: int = 5) -> Report:
    with ExitStack() as stack:
        layout = prepare(root, stack)
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="foyer-bench-run-")))
        runner = Runner(layout, workdir)
        health = runner.event_file(rest_event("/health"))
        # Untimed: the first import in a fresh tree pays for bytecode and the OS page cache.
        for which in ("foyer", "bare"):
            runner.run(which, "cold", health)

        cold: dict[str, list[dict[str, Any]]] = {"foyer": [], "bare": []}
        for which in interleaved(runs):
            cold[which].append(runner.run(which, "cold", health))
        warm: dict[str, list[dict[str, Any]]] = {"foyer": [], "bare": [], "bare-off": []}
        for which in interleaved(rounds, ("foyer", "bare", "bare-off")):
            warm[which].append(runner.run(which, "warm", health, calls=calls, warmup=warmup))

        def med(samples: list[dict[str, Any]], key: str) -> float:
            return float(statistics.median(s[key] for s in samples))

        def ms(side: str, key: str) -> float:
            return med(cold[side], key) * 1e3

        def us(side: str, key: str = "call_ns") -> float:
            return med(warm[side], key) / 1e3

        rows = [
            Row("init (import + handler)", ms("foyer", "init_s"), ms("bare", "init_s"), "ms", INIT_TARGET),
            # CPU time of the same imports: less sensitive to other load on a shared machine.
            Row("init, CPU time", ms("foyer", "init_cpu_s"), ms("bare", "init_cpu_s"), "ms", None),
            Row("first invocation", ms("foyer", "first_call_s"), ms("bare", "first_call_s"), "ms", None),
            Row("warm invocation GET /health", us("foyer"), us("bare"), "µs", CALL_TARGET),
            # Mangum(app) runs the lifespan on every call; foyer's glue does it once. For the cost of
            # foyer's middlewares, errors and logging alone, the same app with lifespan="off":
            Row("warm invocation vs Mangum(lifespan='off')", us("foyer"), us("bare-off"), "µs", None),
            Row("warm invocation p90", us("foyer", "call_ns_p90"), us("bare", "call_ns_p90"), "µs", None),
        ]

        endpoint, sku = os.environ.get("AWS_ENDPOINT_URL"), os.environ.get("BENCH_PRODUCT_SKU")
        description = list(layout.description)
        if endpoint and sku and layout.foyer_module == "services.catalog.handler":
            product = runner.event_file(rest_event(f"/products/{sku}"))
            env = {
                "AWS_ENDPOINT_URL": endpoint,
                "TABLE_NAME": os.environ.get("TABLE_NAME", "foyer-local-catalog"),
            }
            reads = [runner.run("foyer", "warm", product, calls=max(calls // 10, 50), warmup=20, env=env)
                     for _ in range(3)]  # fmt: skip
            rows.append(
                Row(f"warm GET /products/{sku} (emulator)", med(reads, "call_ns") / 1e3, None, "µs", None)
            )
            description.append(f"product read: {endpoint}, table {env['TABLE_NAME']}")
        else:
            description.append(
                "product read skipped: set AWS_ENDPOINT_URL and BENCH_PRODUCT_SKU to include it"
            )
        return Report(rows, description, runs, calls, rounds)


def import_profile(root: Path, top: int = 15) -> list[tuple[int, int, str]]:
    """(cumulative µs, self µs, module) of the costliest imports of the catalog handler (-X importtime)."""
    with ExitStack() as stack:
        layout = prepare(root, stack)
        code = f"import sys; sys.path[0:0] = {layout.foyer_paths!r}; import {layout.foyer_module}"
        proc = subprocess.run(
            [layout.python, *layout.flags, "-X", "importtime", "-c", code],
            env={"PATH": os.environ.get("PATH", ""), **LAMBDA_ENV},
            capture_output=True,
            text=True,
            check=True,
        )
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cumulative_us, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        rows.append((int(cumulative_us), int(self_us), name))
    return sorted(rows, reverse=True)[:top]
