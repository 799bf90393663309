"""`python -m bench.report`: docs/performance.md from the figures `make bench` left in dist/.

`python -m bench` calls it last; run alone, it re-renders the page from an existing dist/bench.json
(and, when they are beside it, dist/init_budget.json and dist/bench_runs.json). One table per
measure, each figure beside its baseline and target; the page holds the latest run only.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from bench import runs

DEFAULT_JSON = Path("dist/bench.json")
DEFAULT_OUT = Path("docs/performance.md")
BUDGET_FILE = "init_budget.json"

HEADER = """\
# Performance

<!-- Written by `make bench` (bench/report.py): edits here are overwritten. -->

This page is written by `make bench` from the figures it leaves in `dist/` (`bench.json`,
`init_budget.json`, `bench_runs.json`). Regenerate it with `make bench`, or re-render it from the
figures already in `dist/` with `python -m bench.report`. Every figure is compared with a baseline
measured in the same run, so a ratio carries across machines better than a time; how each figure is
taken is in the docstring of the bench module named under its table.
"""


def _tenths(value: float) -> str:
    return f"{value:.1f}"


def _megabytes(value: float) -> str:
    return f"{value / 1e6:.2f}"


# measure in dist/bench.json -> (section title, what a figure is, unit, how to print a value)
HANDLER_MEASURES: dict[str, tuple[str, str, str, Callable[[float], str]]] = {
    "init": (
        "Cold start (init)",
        "`import` of each entry point in a fresh process (import and handler construction), median, "
        "against a bare FastAPI + Mangum app",
        "ms",
        _tenths,
    ),
    "warm": (
        "Warm invocation",
        "Median per-call time of a warm invocation, in process, against the bare app with "
        '`Mangum(app, lifespan="off")`',
        "µs",
        _tenths,
    ),
    "size": (
        "Zip size",
        "The arm64 zip `make package` builds, against a bare fastapi + mangum + pydantic zip built the "
        "same way",
        "MB",
        _megabytes,
    ),
}


def _table(columns: Sequence[str], rows: Iterable[Sequence[str]], right_from: int = 1) -> list[str]:
    """A Markdown table; columns from `right_from` on are right-aligned (figures)."""
    align = ["---" if i < right_from else "---:" for i in range(len(columns))]
    lines = ["| " + " | ".join(columns) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _met(met: bool | None) -> str:
    return "-" if met is None else ("met" if met else "**missed**")


def handler_sections(figures: list[dict[str, Any]]) -> list[str]:
    """One section per measure of dist/bench.json: every entry point against the bare app."""
    lines: list[str] = []
    for measure, (title, what, unit, show) in HANDLER_MEASURES.items():
        rows = [f for f in figures if f["measure"] == measure]
        if not rows:
            continue
        target = rows[0]["target"]
        met = sum(1 for f in rows if f["met"])
        lines += [
            "",
            f"## {title}",
            "",
            f"{what}. Target: at most {target:.2f}x the baseline; {met} of {len(rows)} met. "
            "Source: `bench/lambda_cold_warm.py`.",
            "",
        ]
        lines += _table(
            ("entry point", f"foyer ({unit})", f"baseline ({unit})", "ratio", "target", "met"),
            (
                (
                    f"`{f['handler']}`",
                    show(f["value"]),
                    show(f["baseline"]),
                    f"{f['ratio']:.2f}",
                    f"<= {f['target']:.2f}",
                    _met(f["met"]),
                )
                for f in sorted(rows, key=lambda f: f["handler"])
            ),
        )
    return lines


def budget_section(budget: dict[str, Any]) -> list[str]:
    """The HTTP handlers' init by stage against the budget (dist/init_budget.json)."""
    lines = [
        "",
        "## HTTP handlers' init by stage",
        "",
        f"Each HTTP handler's import in stages (floor: what any FastAPI + Mangum app imports; the "
        f"third-party libraries beyond it; foyer; the app itself), median of {budget['runs']} fresh "
        f"processes, against a budget of {budget['target']:.2f}x the bare app's import; "
        f"{budget['order']}. Source: `bench/init_budget.py`.",
        "",
    ]
    stages = ("floor_ms", "libraries_ms", "foyer_ms", "app_ms", "total_ms", "budget_ms")
    rows = (
        [
            f"`{b['handler']}`",
            *(f"{b[key]:.1f}" for key in stages),
            f"{b['over_ms']:+.1f}",
            _met(b["over_ms"] <= 0),
        ]
        for b in sorted(budget["handlers"], key=lambda b: b["handler"])
    )
    columns = ("handler", "floor", "libraries", "foyer", "app", "total", "budget", "over", "met")
    return lines + _table(columns, rows) + ["", "All times in ms; `over` is total minus budget."]


def run_sections(measures: list[dict[str, Any]]) -> list[str]:
    """One section per stack bench (dist/bench_runs.json)."""
    lines: list[str] = []
    for m in measures:
        lines += ["", f"## {m['name']}", "", f"{m['about']}. Source: `{m['source']}`.", ""]
        rows = []
        for f in m["figures"]:
            target = "-"
            if f["target"] is not None:
                target = f"{'>=' if f['at_least'] else '<='} {f['target']:g}"
            value = f"{f['value']:g}{'x' if f['unit'] == 'x' else ' ' + f['unit']}"
            rows.append((f["figure"], value, target, _met(f["met"])))
        lines += _table(("figure", "value", "target", "met"), rows)
    return lines


def render(
    figures: list[dict[str, Any]], budget: dict[str, Any] | None, measures: list[dict[str, Any]]
) -> str:
    """The whole page: the handlers' measures, the init budget and the stack benches present."""
    lines = [HEADER.rstrip("\n"), *handler_sections(figures)]
    if budget is not None:
        lines += budget_section(budget)
    lines += run_sections(measures)
    return "\n".join(lines) + "\n"


def write(
    bench_json: Path, out: Path, budget_json: Path | None = None, runs_json: Path | None = None
) -> Path:
    """Render `out` from `bench_json` and the init budget and stack benches' files (by default beside
    it; either may be absent); returns `out`."""
    figures: list[dict[str, Any]] = json.loads(bench_json.read_text())
    budget_file = budget_json or bench_json.parent / BUDGET_FILE
    budget = json.loads(budget_file.read_text()) if budget_file.is_file() else None
    measures = runs.read_json(runs_json or bench_json.parent / runs.FILE_NAME)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(figures, budget, measures))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="the handlers' figures (make bench)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the page to write")
    args = parser.parse_args(argv)
    if not args.json.is_file():
        print(f"{args.json} not found: run `make bench` first", file=sys.stderr)
        return 1
    print(f"wrote {write(args.json, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
