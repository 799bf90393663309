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
- queue consumers (every `consumers` entry of Terraform's apps map): init as above; warm is one SQS
  event with no records, answered `{"batchItemFailures": []}`: the entry point's own per-invocation
  cost (the cached consumer, the batch loop, the partial batch response) against the same bare
  baseline. Chosen because no record is answered without AWS: a routed event reads or writes the
  table, and an event the consumer does not route is rejected (a failed record and an ERROR line),
  not acknowledged. So a record's envelope parsing and its DynamoDB calls are not in the figure.
  The first invocation (building the consumer: settings, logging, clients) is reported.
- the outbox relay (`foyer.events.handler`, one function per outbox app, the same module in each
  zip: benched once, from the first outbox app's): init as above; warm is one DynamoDB stream event
  with no records, answered `{"batchItemFailures": []}` (a record would be published to EventBridge).
- scheduled handlers (every `schedules` entry): init only. Their one job (the reconciler's query of
  open orders) is I/O from its first line, so there is no invocation to time without AWS.
- size: the arm64 zip `make package` builds against a bare fastapi+mangum+pydantic zip built the
  same way. Target: at most 1.2x. A consumer or schedule ships in its app's zip: the same figure.
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

from bench.layout import (
    AUTHORIZER,
    BARE_MODULE,
    BARE_OFF_MODULE,
    HTTP,
    QUEUE,
    SCHEDULE,
    STREAM,
    Handler,
    Layout,
)
from devtools.devstack.apigateway import rest_event
from devtools.devstack.issuer import JWKS_FILE, LocalIssuer

CHILD = (Path(__file__).parent / "child.py").read_text()
TARGETS = {"init": 0.85, "warm": 1.0, "size": 1.2}
BARE = "bare"
BARE_OFF = "bare-off"
Samples = dict[str, list[dict[str, Any]]]  # side -> one result of bench/child.py per process

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


# What Terraform sets in `environment` for the functions beside the HTTP handlers (the apps map's,
# and the relay's bus), with values that point nowhere: the bench's events reach none of them. In
# Lambda every entry point loads its settings at init, so they must be there.
FUNCTION_ENV = {
    "EVENT_BUS_NAME": "foyer-bench",
    "TOPIC_ARN": "arn:aws:sns:eu-west-1:123456789012:foyer-bench-orders",
    "SENDER_EMAIL": "orders@example.com",
    "PAYMENT_PROVIDER_URL": "http://127.0.0.1:9",
    "PAYMENT_PROVIDER_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:foyer-bench",
}

# What Lambda hands a queue consumer when it warms: an SQS event (the bench's batch holds no record).
EMPTY_BATCH: dict[str, Any] = {"Records": []}

# How each kind of entry point is invoked (printed under the table; the module docstring says why).
TRIGGERS = (
    "warm: HTTP handlers GET /health; the authorizer a TOKEN event with a genuine RS256 token; queue "
    "consumers one SQS event with no records (their own per-invocation cost: no record is answered "
    "without AWS, and an unrouted event fails rather than being acknowledged); the outbox relay one "
    "DynamoDB stream event with no records",
    "scheduled handlers: init and size only (the reconciler's run queries DynamoDB from its first line)",
)

# What a browser-like client adds to API Gateway's own headers (Host, X-Forwarded-*).
CLIENT_HEADERS = {
    "Accept": "application/json",
    "User-Agent": "foyer-bench/1.0",
    "X-Amzn-Trace-Id": "Root=1-5e66d96f-7491f09xmpl79d18acf3d050",
}


def handler_env(app: str) -> dict[str, str]:
    """What Terraform sets for every app (see terraform/modules/platform/main.tf), for `app`."""
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
        extra = {AUTHORIZER: issuer_env, QUEUE: FUNCTION_ENV, SCHEDULE: FUNCTION_ENV, STREAM: FUNCTION_ENV}
        for h in layout.handlers:
            self.sides[h.module] = (h.module, h.paths, {**handler_env(h.app), **extra.get(h.trigger, {})})
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

    def run(
        self, side: str, mode: str, event_file: Path | None, calls: int = 0, warmup: int = 0
    ) -> dict[str, Any]:
        """One fresh interpreter running bench/child.py: `import` (init only), `cold` (init and one
        invocation) or `warm`; an invocation must answer success (an HTTP 200, an Allow policy, a
        batch response without failures), else the run is an error."""
        module = self.sides[side][0]
        args = [module, mode, str(calls), str(warmup), str(event_file or "-")]
        result = self.spawn(side, CHILD, args, f"{side} {mode}")
        if mode != "import" and result["status"] != 200:
            raise RuntimeError(f"{side}: the benchmarked request answered {result['status']}, not 200")
        return result

    def spawn(self, side: str, script: str, args: list[str], what: str) -> dict[str, Any]:
        """The JSON result of `script` run by a fresh interpreter as Lambda runs `side` (its flags,
        sys.path and environment), with argv [result_file, *args, *side's paths]; a run that fails or
        logs an ERROR line is an error (`what` names it)."""
        _, paths, env = self.sides[side]
        result_file = self.workdir / "result.json"
        result_file.unlink(missing_ok=True)
        proc = subprocess.run(
            [self.layout.python, *self.layout.flags, "-c", script, str(result_file), *args, *paths],
            env={**self.env, **env},
            capture_output=True,  # stdout: the JSON log lines Lambda would ship to CloudWatch
            text=True,
            timeout=600,
            check=False,
        )
        if proc.returncode != 0 or not result_file.exists():
            raise RuntimeError(f"{what} run failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
        # Serving, then exiting, logs no error (the adapter ends its lifespan before the loop goes).
        errors = [line for line in (proc.stdout + proc.stderr).splitlines() if "ERROR" in line]
        if errors:
            raise RuntimeError(f"{what} run logged an error:\n" + "\n".join(errors[-5:]))
        result: dict[str, Any] = json.loads(result_file.read_text())
        return result


def interleaved(runs: int, sides: tuple[str, ...]) -> Iterator[str]:
    """Each side once per run, the order rotating so no side always goes first."""
    for i in range(runs):
        yield from sides[i % len(sides) :] + sides[: i % len(sides)]


def _median(samples: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(s[key] for s in samples))


def measure(layout: Layout, runs: int = 15, calls: int = 3000, warmup: int = 300, rounds: int = 5) -> Report:
    """Run every handler of `layout` (bench.layout.prepare) and the baseline interleaved, and compare."""
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="foyer-bench-run-")))
        runner = Runner(layout, workdir)
        health = runner.event_file(
            rest_event("GET", "/health", headers=CLIENT_HEADERS, request_id="bench-request")
        )
        by_trigger = {
            HTTP: health,
            AUTHORIZER: runner.authorizer_event(),
            QUEUE: runner.event_file(EMPTY_BATCH),
            STREAM: runner.event_file(EMPTY_BATCH),  # a stream event has the same `Records` list
            SCHEDULE: None,
        }
        events = {BARE: health, BARE_OFF: health} | {h.module: by_trigger[h.trigger] for h in layout.handlers}
        cold_mode = {h.module: "import" for h in layout.handlers if events[h.module] is None}
        modules = tuple(h.module for h in layout.handlers)
        warmed = tuple(m for m in modules if events[m] is not None)
        # Untimed: the first import in a fresh tree pays for the OS page cache.
        for side in (*modules, BARE):
            runner.run(side, cold_mode.get(side, "cold"), events[side])
        cold: Samples = {side: [] for side in (*modules, BARE)}
        for side in interleaved(runs, (*modules, BARE)):
            cold[side].append(runner.run(side, cold_mode.get(side, "cold"), events[side]))
        warm: Samples = {side: [] for side in (*warmed, BARE, BARE_OFF)}
        for side in interleaved(rounds, (*warmed, BARE, BARE_OFF)):
            warm[side].append(runner.run(side, "warm", events[side], calls=calls, warmup=warmup))

        figures: list[Figure] = []
        info: list[Info] = []
        for h in layout.handlers:
            more_figures, more_info = compare(h, cold, warm, layout.bare_zip_size)
            figures += more_figures
            info += more_info
        # Each handler imported with its side's environment (the authorizer's issuer settings included).
        profiles = {h.module: import_profile(layout, h, runner.sides[h.module][2]) for h in layout.handlers}
        return Report(figures, info, [*layout.description, *TRIGGERS], runs, calls, rounds, profiles)


def compare(
    handler: Handler, cold: Samples, warm: Samples, bare_zip_size: int
) -> tuple[list[Figure], list[Info]]:
    """`handler`'s figures against the bare app's from the same run, and its context lines: init and
    size always; first invocation and warm where it was invoked (not a scheduled handler)."""
    m = handler.module
    figures = [figure(m, "init", _median(cold[m], "init_s") * 1e3, _median(cold[BARE], "init_s") * 1e3)]
    # CPU time of the same imports: less sensitive to other load on a shared machine.
    info = [Info(m, "init, CPU time", *_pair(cold, m, BARE, "init_cpu_s", 1e3), "ms")]
    if m in warm:
        figures.append(figure(m, "warm", *_pair(warm, m, BARE_OFF, "call_ns", 1e-3)))
        info += [
            Info(m, "first invocation", *_pair(cold, m, BARE, "first_call_s", 1e3), "ms"),
            Info(m, "warm vs plain Mangum(app)", *_pair(warm, m, BARE, "call_ns", 1e-3), "µs"),
            Info(m, "warm p90 vs lifespan='off'", *_pair(warm, m, BARE_OFF, "call_ns_p90", 1e-3), "µs"),
        ]
    figures.append(figure(m, "size", handler.zip_size, bare_zip_size))
    return figures, info


def _pair(samples: Samples, side: str, baseline: str, key: str, scale: float) -> tuple[float, float]:
    """The medians of `key` for `side` and `baseline`, times `scale` (to ms or µs)."""
    return _median(samples[side], key) * scale, _median(samples[baseline], key) * scale


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
