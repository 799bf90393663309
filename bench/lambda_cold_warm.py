"""Every Lambda handler's cold start, warm invocation and zip size against a bare FastAPI+Mangum app.

All measured in the same run, in fresh CPython 3.12 interpreters, A/B interleaved so drift hits every
side alike:
- init: `import <handler module>` (import + handler construction) in a fresh process, median of
  `runs`, wall and CPU time; the interpreter's own start-up is the same for all and left out.
  Target: at most 0.85x the bare app.
- first call: the first invocation after init (lifespan start-up included), reported, no target.
- warm invocation: median per-call time of `calls` REST API `GET /health` events after `warmup`
  calls, in-process, median over `rounds` fresh processes each. Target: at most 1.0x the bare app
  built with `Mangum(app, lifespan="off")` (plain `Mangum(app)` re-runs the lifespan on every call,
  reported beside it). An authorizer (a handler without an ASGI app) is fed a TOKEN authorizer
  event with a genuine RS256 token instead, verified against a JWKS file: its warm figure is one
  signature and claims check against the same baseline.
- size: the arm64 zip `make package` builds against a bare fastapi+mangum+pydantic zip built the
  same way. Target: at most 1.2x.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.layout import BARE_MODULE, BARE_OFF_MODULE, Handler, Layout, prepare
from foyer.devstack.apigateway import rest_event
from foyer.devstack.issuer import JWKS_FILE, LocalIssuer

CHILD = (Path(__file__).parent / "child.py").read_text()
TARGETS = {"init": 0.85, "warm": 1.0, "size": 1.2}
BARE = "bare"
BARE_OFF = "bare-off"

# What a Lambda function's environment looks like to the code (no stack file, no real keys needed).
LAMBDA_ENV = {
    "AWS_REGION": "eu-west-1",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
    "FOYER_ENV": "bench",
    "FOYER_STACK_FILE": "/nonexistent/stack.json",
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "PYTHONDONTWRITEBYTECODE": "1",
}


# What a browser-like client adds to API Gateway's own headers (Host, X-Forwarded-*).
CLIENT_HEADERS = {
    "Accept": "application/json",
    "User-Agent": "foyer-bench/1.0",
    "X-Amzn-Trace-Id": "Root=1-5e66d96f-7491f09xmpl79d18acf3d050",
}


def handler_env(app: str) -> dict[str, str]:
    """What Terraform sets for every app (see terraform/environments/local/main.tf), for `app`."""
    return {
        "AWS_LAMBDA_FUNCTION_NAME": f"foyer-bench-{app}",
        "FOYER_SERVICE": app,
        "TABLE_NAME": f"foyer-bench-{app}",
    }


@dataclass(frozen=True)
class Figure:
    """One line of dist/bench.json: `value` against `baseline` (init in ms, warm in µs, size in bytes)."""

    handler: str
    measure: str
    value: float
    baseline: float
    ratio: float
    target: float
    met: bool


@dataclass(frozen=True)
class Info:
    """A figure reported for context, without a target."""

    handler: str
    what: str
    value: float
    baseline: float | None
    unit: str


@dataclass
class Report:
    figures: list[Figure]
    info: list[Info]
    description: list[str]
    runs: int
    calls: int
    rounds: int
    profiles: dict[str, list[tuple[int, int, str]]]

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps([asdict(f) for f in self.figures], indent=2) + "\n")


def figure(handler: str, measure: str, value: float, baseline: float) -> Figure:
    ratio = value / baseline
    target = TARGETS[measure]
    return Figure(
        handler, measure, round(value, 3), round(baseline, 3), round(ratio, 3), target, ratio <= target
    )


class Runner:
    def __init__(self, layout: Layout, workdir: Path) -> None:
        self.layout = layout
        self.workdir = workdir
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **LAMBDA_ENV}
        # An authorizer verifies a real token against a real JWKS (a file, read on the first call).
        self.issuer = LocalIssuer.ensure(workdir / "issuer")
        issuer_env = {
            "FOYER_JWT_ISSUER": self.issuer.issuer,
            "FOYER_JWT_AUDIENCE": self.issuer.audience,
            "FOYER_JWKS_URL": (workdir / "issuer" / JWKS_FILE).as_uri(),
        }
        self.sides: dict[str, tuple[str, list[str], dict[str, str]]] = {
            BARE: (BARE_MODULE, layout.bare_paths, handler_env("bare")),
            BARE_OFF: (BARE_OFF_MODULE, layout.bare_paths, handler_env("bare")),
        }
        for h in layout.handlers:
            env = handler_env(h.app) if h.serves_http else {**handler_env(h.app), **issuer_env}
            self.sides[h.module] = (h.module, h.paths, env)
        self._n = 0

    def authorizer_event(self) -> Path:
        """A TOKEN authorizer event carrying a genuine token (valid for the bench's duration)."""
        token = self.issuer.mint("bench-user", ttl_s=6 * 3600)
        arn = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev/GET/orders"
        return self.event_file({"type": "TOKEN", "authorizationToken": f"Bearer {token}", "methodArn": arn})

    def event_file(self, event: dict[str, Any]) -> Path:
        self._n += 1
        path = self.workdir / f"event-{self._n}.json"
        path.write_text(json.dumps(event))
        return path

    def run(self, side: str, mode: str, event_file: Path, calls: int = 0, warmup: int = 0) -> dict[str, Any]:
        module, paths, env = self.sides[side]
        result_file = self.workdir / "result.json"
        result_file.unlink(missing_ok=True)
        proc = subprocess.run(
            [self.layout.python, *self.layout.flags, "-c", CHILD, str(result_file), module, mode,
             str(calls), str(warmup), str(event_file), *paths],
            env={**self.env, **env},
            capture_output=True,  # stdout: the JSON log lines Lambda would ship to CloudWatch
            text=True,
            timeout=600,
            check=False,
        )  # fmt: skip
        if proc.returncode != 0 or not result_file.exists():
            raise RuntimeError(f"{side} {mode} run failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
        # Serving, then exiting, logs no error (the adapter's lifespan used to, at exit).
        errors = [line for line in (proc.stdout + proc.stderr).splitlines() if "ERROR" in line]
        if errors:
            raise RuntimeError(f"{side} {mode} run logged an error:\n" + "\n".join(errors[-5:]))
        result: dict[str, Any] = json.loads(result_file.read_text())
        if result["status"] != 200:
            raise RuntimeError(f"{side}: the benchmarked request answered {result['status']}, not 200")
        return result


def interleaved(runs: int, sides: tuple[str, ...]) -> Iterator[str]:
    """Each side once per run, the order rotating so no side always goes first."""
    for i in range(runs):
        yield from sides[i % len(sides) :] + sides[: i % len(sides)]


def _median(samples: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(s[key] for s in samples))


def measure(root: Path, runs: int = 15, calls: int = 3000, warmup: int = 300, rounds: int = 5) -> Report:
    """Build every handler's zip and the baseline, run them interleaved, and compare."""
    with ExitStack() as stack:
        layout = prepare(root, stack)
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="foyer-bench-run-")))
        runner = Runner(layout, workdir)
        health = runner.event_file(
            rest_event("GET", "/health", headers=CLIENT_HEADERS, request_id="bench-request")
        )
        authorize = runner.authorizer_event()
        events = {h.module: health if h.serves_http else authorize for h in layout.handlers}
        modules = tuple(h.module for h in layout.handlers)
        # Untimed: the first import in a fresh tree pays for the OS page cache.
        for side in (*modules, BARE):
            runner.run(side, "cold", events.get(side, health))
        cold: dict[str, list[dict[str, Any]]] = {side: [] for side in (*modules, BARE)}
        for side in interleaved(runs, (*modules, BARE)):
            cold[side].append(runner.run(side, "cold", events.get(side, health)))
        warm: dict[str, list[dict[str, Any]]] = {side: [] for side in (*modules, BARE, BARE_OFF)}
        for side in interleaved(rounds, (*modules, BARE, BARE_OFF)):
            event = events.get(side, health)
            warm[side].append(runner.run(side, "warm", event, calls=calls, warmup=warmup))

        figures: list[Figure] = []
        info: list[Info] = []
        bare_init = _median(cold[BARE], "init_s") * 1e3
        bare_off_call = _median(warm[BARE_OFF], "call_ns") / 1e3
        for h in layout.handlers:
            m = h.module
            figures += [
                figure(m, "init", _median(cold[m], "init_s") * 1e3, bare_init),
                figure(m, "warm", _median(warm[m], "call_ns") / 1e3, bare_off_call),
                figure(m, "size", h.zip_size, layout.bare_zip_size),
            ]
            info += [
                # CPU time of the same imports: less sensitive to other load on a shared machine.
                Info(
                    m,
                    "init, CPU time",
                    _median(cold[m], "init_cpu_s") * 1e3,
                    _median(cold[BARE], "init_cpu_s") * 1e3,
                    "ms",
                ),
                Info(
                    m,
                    "first invocation",
                    _median(cold[m], "first_call_s") * 1e3,
                    _median(cold[BARE], "first_call_s") * 1e3,
                    "ms",
                ),
                Info(
                    m,
                    "warm vs plain Mangum(app)",
                    _median(warm[m], "call_ns") / 1e3,
                    _median(warm[BARE], "call_ns") / 1e3,
                    "µs",
                ),
                Info(
                    m,
                    "warm p90 vs lifespan='off'",
                    _median(warm[m], "call_ns_p90") / 1e3,
                    _median(warm[BARE_OFF], "call_ns_p90") / 1e3,
                    "µs",
                ),
            ]
        # Each handler imported with its side's environment (the authorizer's issuer settings included).
        profiles = {h.module: import_profile(layout, h, runner.sides[h.module][2]) for h in layout.handlers}
        return Report(figures, info, list(layout.description), runs, calls, rounds, profiles)


def import_profile(
    layout: Layout, handler: Handler, env: dict[str, str], top: int = 12
) -> list[tuple[int, int, str]]:
    """(cumulative µs, self µs, module) of `handler`'s costliest imports (-X importtime, one process,
    with `env`: the handler's own environment)."""
    code = f"import sys; sys.path[0:0] = {handler.paths!r}; import {handler.module}"
    proc = subprocess.run(
        [layout.python, *layout.flags, "-X", "importtime", "-c", code],
        env={"PATH": os.environ.get("PATH", ""), **LAMBDA_ENV, **env},
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
