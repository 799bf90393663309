"""`python -m bench` (what `make bench` runs): every Lambda handler against the bare app, one table,
and `dist/bench.json`; then each HTTP handler's init by stage against its budget (bench.init_budget,
`dist/init_budget.json`); then the stack benches (`dist/bench_runs.json`); last, docs/performance.md
from those files (bench.report). Exits 0 unless it breaks (a missed target is reported, not an error)."""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench import (
    consumer_overhead,
    fanout,
    fanout_lambda,
    init_budget,
    lambda_cold_warm,
    order_latency,
    runs,
)
from bench import report as performance
from bench.layout import prepare

UNITS = {"init": "ms", "warm": "µs", "size": "bytes"}


def _value(measure: str, value: float) -> str:
    return f"{value / 1e6:.2f} MB" if measure == "size" else f"{value:.1f} {UNITS[measure]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per side for init (default 15)")
    parser.add_argument("--calls", type=int, default=3000, help="timed warm calls per process (default 3000)")
    parser.add_argument("--warmup", type=int, default=300, help="untimed warm-up calls per process")
    parser.add_argument("--rounds", type=int, default=5, help="processes per side for warm calls (default 5)")
    parser.add_argument("--json", type=Path, default=Path("dist/bench.json"), help="where to write figures")
    parser.add_argument(
        "--budget-runs",
        type=init_budget.runs_arg,
        default=7,
        help=f"fresh processes per side for the init budget by stage (1-{init_budget.MAX_RUNS}, default 7)",
    )
    parser.add_argument(
        "--budget-json", type=Path, default=Path("dist/init_budget.json"), help="where to write the budget"
    )
    parser.add_argument(
        "--handlers-only",
        action="store_true",
        help="only the Lambda handlers (no consumer, order, fan-out runs, and no docs page)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        default=performance.DEFAULT_OUT,
        help="the page a full run writes (bench.report)",
    )
    args = parser.parse_args(argv)
    root = Path.cwd().resolve()
    console = Console(width=max(Console().width, 130))  # handler names stay whole in narrow terminals

    with ExitStack() as stack:  # one build of the layouts for both measurements
        with console.status("measuring every Lambda handler against a bare FastAPI+Mangum app"):
            layout = prepare(root, stack)
            report = lambda_cold_warm.measure(layout, args.runs, args.calls, args.warmup, args.rounds)
        report.write_json(args.json)
        print_handlers(console, report, args.warmup, args.json)
        with console.status("importing every HTTP handler in stages"):
            budget = init_budget.measure(layout, args.budget_runs)
    budget.write_json(args.budget_json)
    init_budget.print_report(console, budget, args.budget_json)
    runs_json = args.json.parent / runs.FILE_NAME
    if args.handlers_only:
        runs.write_json(runs_json, [])  # no stale stack figures beside this run's handlers
        return 0
    measures = [runs.consumer_measure(consumer_overhead.run(console))]
    measures.append(
        runs.order_measure(
            order_latency.run(console, root), order_latency.ORDERS, order_latency.PROVIDER_LATENCY_MS
        )
    )
    measures.append(runs.fanout_measure(fanout.run(console)))
    measures.append(runs.fanout_lambda_measure(fanout_lambda.run(console)))
    runs.write_json(runs_json, measures)
    page = performance.write(args.json, args.report, args.budget_json, runs_json)
    console.print(f"{page} written from {args.json}, {args.budget_json} and {runs_json}")
    return 0


def print_handlers(console: Console, report: lambda_cold_warm.Report, warmup: int, json_path: Path) -> None:
    """The handlers' figures against their targets, the context lines and the costliest imports."""
    table = Table(title="Lambda handlers vs a bare FastAPI + Mangum app (same run)")
    for column in ("handler", "measure", "foyer", "baseline", "ratio", "target", "met"):
        table.add_column(column, justify="left" if column in ("handler", "measure") else "right")
    for f in report.figures:
        table.add_row(
            f.handler,
            f.measure,
            _value(f.measure, f.value),
            _value(f.measure, f.baseline),
            f"{f.ratio:.2f}",
            f"<= {f.target:.2f}",
            "[green]met[/]" if f.met else "[red]missed[/]",
        )
    console.print(table)
    details = Table(title="For context (no target)")
    for column in ("handler", "what", "foyer", "baseline", "ratio"):
        details.add_column(column, justify="left" if column in ("handler", "what") else "right")
    for i in report.info:
        details.add_row(
            i.handler,
            i.what,
            f"{i.value:.1f} {i.unit}",
            f"{i.baseline:.1f} {i.unit}" if i.baseline is not None else "-",
            f"{i.value / i.baseline:.2f}" if i.baseline else "-",
        )
    console.print(details)
    console.print(
        f"init: median of {report.runs} fresh processes per side, interleaved; warm: median per-call time "
        f"of {report.calls} calls after {warmup} warm-up calls, median of {report.rounds} processes "
        f"per side. Figures: {json_path}"
    )
    for line in report.description:
        console.print(f"  {line}", highlight=False, markup=False)

    for module, rows in report.profiles.items():
        profile = Table(title=f"{module}: costliest imports (python -X importtime, one cold process)")
        for column in ("cumulative", "self", "module"):
            profile.add_column(column, justify="right" if column != "module" else "left")
        for cumulative, self_us, name in rows:
            profile.add_row(f"{cumulative / 1e3:.1f} ms", f"{self_us / 1e3:.1f} ms", name)
        console.print(profile)


if __name__ == "__main__":
    sys.exit(main())
