"""`python -m devtools.cli.cost` (`make cost`): what each function costs a month, and at which memory.

Inputs: the init and warm durations `make bench` measured (dist/bench.json), the memory each
environment root gives each function (read from Terraform: the root's `memory_size`, else the
lambda_app module's default), and a stated traffic profile: requests a month per BFF, from which
devtools.cli.traffic derives every function's invocations (service calls per BFF request, the
authorizer's cache misses, orders and the events each order publishes to the consumers).

The model, stated so it can be argued with:
- Price (arm64, us-east-1 and eu-west-1, first pricing tier): $0.0000133334 per GB-second and $0.20
  per million requests; billed per millisecond; the INIT phase is billed like the handler's time.
- CPU share grows linearly with memory up to 1,769 MB (one vCPU) and a Python handler uses one
  thread, so above that nothing gets faster. The bench machine runs a full core, so a duration
  measured here is what 1,769 MB gives; at `m` MB the CPU part takes 1769/m times as long.
- A request also waits on I/O (DynamoDB, other services) that memory does not speed up: `io_ms`.
- A cold start is init + one invocation + what the first request does once and the bench's
  `GET /health` does not: create the boto3 client (`first_use_ms`, about 200 ms at one vCPU,
  docs/architecture.md); `cold_share` of the requests start cold.
- The latency goal: a cold-started request within `cold_goal_ms`, a warm one within `warm_goal_ms`.
- Each queue consumer is priced with its own figures (`make bench` measures every `consumers` entry
  of the apps map: its init, and as warm one SQS event with no records, the entry point's own cost;
  a record's CPU work besides is not measured and its DynamoDB calls are `io_ms`). A function the
  traffic reaches that dist/bench.json lacks (one from an older bench) takes its app's HTTP
  handler's durations, marked `*`.
- A scheduled function (the reconciler) has an init figure but no warm one: its run is DynamoDB I/O
  from its first line, which the bench cannot time without AWS. It is priced as a cold start on
  every run, CPU beyond init not counted, its I/O `io_ms`: at `rate(5 minutes)` the environment may
  well be reclaimed between runs, so every-run-cold is the dearest honest reading. Its runs a month
  come from its schedule expression (devtools.cli.traffic).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

from devtools.cli.traffic import EVENTS_PER_ORDER, Traffic, handler_module, invocations
from devtools.terraform_source import module_arguments, read_module, read_topology

GB_SECOND_USD = 0.0000133334
REQUEST_USD = 0.20 / 1_000_000
FULL_VCPU_MB = 1769
MEMORY_CHOICES = (128, 256, 512, 768, 1024, 1536, 1769, 2048, 3008)


@dataclass(frozen=True)
class Profile:
    """What a function's users wait for, and its requests a month where no traffic says otherwise."""

    requests_per_month: float = 3_000_000
    cold_share: float = 0.01
    io_ms: float = 10.0
    first_use_ms: float = 200.0
    cold_goal_ms: float = 1000.0
    warm_goal_ms: float = 50.0


@dataclass(frozen=True)
class Measured:
    """A function's durations from dist/bench.json (at one full vCPU)."""

    handler: str
    init_ms: float
    warm_ms: float | None  # None: not measured (a scheduled function), priced cold on every call


@dataclass(frozen=True)
class Estimate:
    memory_mb: int
    cold_ms: float
    warm_ms: float
    monthly_usd: float

    def meets(self, profile: Profile) -> bool:
        return self.cold_ms <= profile.cold_goal_ms and self.warm_ms <= profile.warm_goal_ms


def cpu_slowdown(memory_mb: int) -> float:
    """How much longer CPU-bound work takes at `memory_mb` than at one full vCPU."""
    return max(1.0, FULL_VCPU_MB / memory_mb)


def estimate(measured: Measured, memory_mb: int, profile: Profile, requests: float | None = None) -> Estimate:
    """Latencies and the monthly bill of `measured` at `memory_mb` under `profile`, serving `requests`
    a month (else the profile's). Without a warm figure every call is a cold start doing I/O only."""
    requests = profile.requests_per_month if requests is None else requests
    slow = cpu_slowdown(memory_mb)
    warm = (measured.warm_ms or 0.0) * slow + profile.io_ms
    cold = (measured.init_ms + profile.first_use_ms) * slow + warm
    cold_requests = requests * (1.0 if measured.warm_ms is None else profile.cold_share)
    warm_requests = requests - cold_requests
    billed_ms = warm_requests * math.ceil(warm) + cold_requests * math.ceil(cold)
    compute = billed_ms / 1000 * memory_mb / 1024 * GB_SECOND_USD
    return Estimate(memory_mb, cold, warm, compute + requests * REQUEST_USD)


def cheapest(measured: Measured, profile: Profile, requests: float | None = None) -> Estimate | None:
    """The cheapest memory setting that meets the latency goal (the smaller on a tie), if any does."""
    estimates = (estimate(measured, m, profile, requests) for m in MEMORY_CHOICES)
    meeting = [e for e in estimates if e.meets(profile)]
    return min(meeting, key=lambda e: (round(e.monthly_usd, 2), e.memory_mb), default=None)


def read_bench(path: Path) -> list[Measured]:
    """Each handler's median init (ms) and warm invocation (µs -> ms, None where the bench measures
    init only) from `make bench`'s figures."""
    figures = json.loads(path.read_text())
    by_handler: dict[str, dict[str, float]] = {}
    for figure in figures:
        by_handler.setdefault(figure["handler"], {})[figure["measure"]] = float(figure["value"])
    return [
        Measured(handler, values["init"], values["warm"] / 1000 if "warm" in values else None)
        for handler, values in sorted(by_handler.items())
        if "init" in values
    ]


def environment_memory(terraform_dir: Path) -> dict[str, int]:
    """`environment -> memory_size` its root gives its functions (the module default when it sets none).

    Reads literal numbers only: a root that computes memory per function needs this reader extended.
    """
    lambda_app = read_module(terraform_dir / "modules" / "lambda_app")
    default = next((v.value for v in lambda_app.variables if v.name == "memory_size" and v.literal), None)
    if not isinstance(default, int):
        raise ValueError("terraform/modules/lambda_app/variables.tf declares no memory_size default")
    memory = {}
    for root in sorted(p for p in (terraform_dir / "environments").iterdir() if p.is_dir()):
        given = [
            m["memory_size"] for m in module_arguments(root).values() if isinstance(m.get("memory_size"), int)
        ]
        memory[root.name] = given[0] if given else default
    return memory


NOT_MEASURED = "not measured"
STAND_IN = "*"  # marks a row whose durations are its app's HTTP handler's (not measured apart)


def with_consumers(measured: list[Measured], counts: dict[str, float]) -> list[Measured]:
    """`measured`, plus a row per function the traffic reaches that has no figures of its own, with
    the durations of its app's HTTP handler (`services.orders.handler` for `services.orders.x`)."""
    rows = list(measured)
    by_handler = {m.handler: m for m in measured}
    for module in sorted(set(counts) - by_handler.keys()):
        stand_in = by_handler.get(module.rsplit(".", 1)[0] + ".handler")
        if stand_in is not None:
            rows.append(Measured(module + STAND_IN, stand_in.init_ms, stand_in.warm_ms))
    return rows


def table(
    measured: list[Measured], memory: dict[str, int], profile: Profile, counts: dict[str, float] | None = None
) -> list[list[str]]:
    """The rows `make cost` prints: one per function and environment. `counts` are invocations a
    month per handler module (devtools.cli.traffic); without them every function serves the profile's."""
    rows = []
    for m in measured:
        requests = None if counts is None else counts.get(m.handler.removesuffix(STAND_IN), 0.0)
        best = cheapest(m, profile, requests)
        for env, memory_mb in memory.items():
            at = estimate(m, memory_mb, profile, requests)
            rows.append(
                [
                    m.handler,
                    f"{m.init_ms:.0f} ms",
                    NOT_MEASURED if m.warm_ms is None else _micros(m.warm_ms * 1000),
                    f"{profile.requests_per_month if requests is None else requests:,.0f}",
                    f"{env}: {memory_mb} MB",
                    f"{at.cold_ms:.0f} / {at.warm_ms:.1f} ms",
                    f"${at.monthly_usd:,.2f}",
                    f"{best.memory_mb} MB, ${best.monthly_usd:,.2f}" if best else "none meets the goal",
                ]
            )
    return rows


def _micros(us: float) -> str:
    """Whole µs, or tenths below 10 µs (a consumer's empty-batch call is about 0.2 µs, not 0)."""
    return f"{us:.0f} µs" if us >= 10 else f"{us:.1f} µs"


def _bff_requests(values: list[str]) -> dict[str, int]:
    requests = dict(Traffic().bff_requests)
    for value in values:
        name, _, count = value.partition("=")
        requests[name] = int(float(count))
    return requests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.cli.cost", description="Monthly cost and cheapest memory per function."
    )
    defaults = Profile()
    parser.add_argument("--bench", type=Path, default=Path("dist/bench.json"))
    parser.add_argument("--terraform", type=Path, default=Path("terraform"))
    traffic = Traffic()
    parser.add_argument(
        "--bff", action="append", default=[], metavar="NAME=REQUESTS", help="a BFF's requests a month"
    )
    parser.add_argument("--service-calls", type=float, default=traffic.service_calls, help="per BFF request")
    parser.add_argument("--authorizer-share", type=float, default=traffic.authorizer_share)
    parser.add_argument("--order-share", type=float, default=traffic.order_share, help="of BFF requests")
    parser.add_argument("--cold-share", type=float, default=defaults.cold_share)
    parser.add_argument("--io-ms", type=float, default=defaults.io_ms, help="I/O wait per request")
    parser.add_argument(
        "--first-use-ms", type=float, default=defaults.first_use_ms, help="once per cold start"
    )
    parser.add_argument("--cold-goal-ms", type=float, default=defaults.cold_goal_ms)
    parser.add_argument("--warm-goal-ms", type=float, default=defaults.warm_goal_ms)
    args = parser.parse_args(argv)
    if not args.bench.is_file():
        print(f"{args.bench} not found: run `make bench` first", file=sys.stderr)
        return 2
    profile = Profile(
        defaults.requests_per_month,
        args.cold_share,
        args.io_ms,
        args.first_use_ms,
        args.cold_goal_ms,
        args.warm_goal_ms,
    )
    traffic = Traffic(_bff_requests(args.bff), args.service_calls, args.authorizer_share, args.order_share)
    try:  # a layout the reader does not know, or a schedule it cannot price: say which, no traceback
        topology = read_topology(args.terraform)
        counts = invocations(traffic, topology)
    except ValueError as exc:
        print(f"make cost: {exc}", file=sys.stderr)
        return 2
    measured = with_consumers(read_bench(args.bench), counts)
    header = [
        "function",
        "init",
        "warm",
        "calls a month",
        "memory",
        "cold / warm there",
        "a month there",
        "cheapest in goal",
    ]
    rows = [header, *table(measured, environment_memory(args.terraform), profile, counts)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    bffs = ", ".join(f"{name} {n:,}" for name, n in traffic.bff_requests.items())
    print(
        f"\ntraffic: BFF requests a month {bffs}; {traffic.service_calls:g} service calls per BFF request; "
        f"{traffic.authorizer_share:.0%} of requests behind the authorizer invoke it; "
        f"{traffic.order_share:.0%} of BFF requests place an order ({traffic.orders:,.0f} a month), "
        f"each publishing {len(EVENTS_PER_ORDER)} events to the consumers that take them "
        "(devtools/cli/traffic.py)."
    )
    outbox_apps = [name for name, app in topology.apps.items() if app.outbox]
    relay = handler_module(topology.relay_handler)
    if outbox_apps and any(m.handler == relay for m in measured):
        apps = ", ".join(outbox_apps)
        print(f"{relay}: the outbox relays of {apps} together (one function each, one module).")
    if any(m.warm_ms is None for m in measured):
        print(
            f"warm {NOT_MEASURED}: priced as a cold start on every run (a scheduled function's run is I/O)."
        )
    if any(m.handler.endswith(STAND_IN) for m in measured):
        print(f"{STAND_IN}: no figures of its own in {args.bench}: priced with its app's HTTP handler's.")
    print(
        f"profile: {profile.cold_share:.1%} "
        f"cold, {profile.io_ms:g} ms of I/O per request, {profile.first_use_ms:g} ms of first use per cold "
        f"start; goal: cold <= {profile.cold_goal_ms:g} ms, warm <= "
        f"{profile.warm_goal_ms:g} ms. Model: arm64 at ${GB_SECOND_USD:.10f}/GB-s + $0.20/M requests, "
        f"init billed, CPU share linear in memory up to {FULL_VCPU_MB} MB = 1 vCPU (bench figures = 1 vCPU)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
