"""`python -m bench` (what `make bench` runs): every benchmark, one table; exits 0 unless it breaks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench import consumer_overhead, lambda_cold_warm


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per side for init (default 15)")
    parser.add_argument("--calls", type=int, default=3000, help="timed warm calls per process (default 3000)")
    parser.add_argument("--warmup", type=int, default=300, help="untimed warm-up calls per process")
    parser.add_argument("--rounds", type=int, default=5, help="processes per side for warm calls (default 5)")
    parser.add_argument("--profile", action="store_true", help="also list the catalog's costliest imports")
    args = parser.parse_args(argv)
    root = Path.cwd().resolve()
    console = Console()

    with console.status("measuring Lambda init and invocation (foyer catalog vs bare FastAPI+Mangum)"):
        report = lambda_cold_warm.measure(root, args.runs, args.calls, args.warmup, args.rounds)
    table = Table(title="Lambda: foyer catalog handler vs bare FastAPI + Mangum (same run)")
    for column in ("metric", "foyer", "baseline", "ratio", "target", "result"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for row in report.rows:
        ratio = row.ratio
        verdict = {True: "[green]PASS[/]", False: "[red]FAIL[/]", None: "-"}[row.passed]
        table.add_row(
            row.metric,
            f"{row.foyer:.1f} {row.unit}",
            f"{row.baseline:.1f} {row.unit}" if row.baseline is not None else "-",
            f"{ratio:.2f}" if ratio is not None else "-",
            f"<= {row.target:.2f}" if row.target is not None else "-",
            verdict,
        )
    console.print(table)
    console.print(
        f"init: median of {report.runs} fresh processes per side, A/B interleaved; warm: median "
        f"per-call time of {report.calls} calls after warm-up, median of {report.rounds} processes per side"
    )
    for line in report.description:
        console.print(f"  {line}", highlight=False, markup=False)

    if args.profile or any(row.passed is False for row in report.rows):
        profile = Table(title="catalog handler: costliest imports (python -X importtime, one cold process)")
        for column in ("cumulative", "self", "module"):
            profile.add_column(column, justify="right" if column != "module" else "left")
        for cumulative, self_us, name in lambda_cold_warm.import_profile(root):
            profile.add_row(f"{cumulative / 1e3:.1f} ms", f"{self_us / 1e3:.1f} ms", name)
        console.print(profile)
    consumer_overhead.run(console)
    return 0


if __name__ == "__main__":
    sys.exit(main())
