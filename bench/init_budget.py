"""Where each HTTP handler's init goes, stage by stage, against its budget (0.85x the bare app's import).

For every HTTP entry point (trigger `http`: not the authorizer, consumers or schedules), run from its
packaged layout (bench.layout) in fresh interpreters with the handler's Lambda environment
(bench.lambda_cold_warm), init is imported in four stages, each timed with perf_counter inside one
process (bench/budget_child.py):
1. floor: `foyer.cold_start` imported, `init_phase()` entered (gc paused, FastAPI's OpenAPI models
   deferred, as in every handler), then fastapi, mangum, pydantic and starlette.applications: what
   any FastAPI + Mangum app imports, as foyer loads it;
2. libraries: each third-party top-level package the handler imports beyond the floor (its files in
   the zip's task dir; not foyer, services or bff; not loaded by the floor), one by one;
3. foyer: the foyer modules the handler loaded, grouped at depth 2 (foyer.upstream, foyer.settings);
4. app: the rest of `import <handler module>`: its own modules, route registration, handler
   construction, and whatever only they import (a stdlib module, boto3 from the runtime dir).
A discovery run of the handler (untimed) finds the groups of stages 2 and 3 and their order: within
a stage, a group comes when the discovery run finished importing its last module (CPython moves a
module to the end of sys.modules once its body has run), so what a group needs is imported before
it and each is charged mostly its own cost. Ordered by the first of its modules to finish instead,
foyer.upstream (whose leaf `exceptions` finishes early) was charged 7.1 ms in web, foyer.correlation,
retry, settings and problems included, against its own 3.1 ms.

Attribution depends on that order: a module shared by two stages is charged to the first that
imports it. A library that only foyer imports is charged to libraries (stage 2 runs first); a stdlib
module that httpx and the app both import is charged to httpx; a pydantic submodule that the floor
did not load is charged to whichever later stage imports it. The stage figures are medians over the
runs, each on its own; the total is the median of the per-run sums of the stages, so the parts need
not add up to it exactly. The bare app's import (bench/child.py, as `make bench` times it) runs
interleaved with the staged runs, so drift hits both sides. The budget is 0.85x the bare app.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from bench.lambda_cold_warm import BARE, TARGETS, Runner, interleaved
from bench.layout import HTTP, Handler, Layout, prepare

CHILD = (Path(__file__).parent / "budget_child.py").read_text()
FLOOR = ("fastapi", "mangum", "pydantic", "starlette.applications")
OWN = frozenset({"foyer", "services", "bff"})  # foyer's own packages, never "libraries"
LIBRARIES, FOYER = "libraries", "foyer"
MAX_RUNS = 25  # a bound: each run is one fresh process per handler and one for the bare app
ORDER_NOTE = "attribution follows stage order: a module shared by two stages is charged to the first"


@dataclass(frozen=True)
class Group:
    """Modules imported together and timed as one part of a stage (a library, a foyer subpackage)."""

    stage: str
    name: str
    modules: tuple[str, ...]


@dataclass(frozen=True)
class Part:
    """One named part of a stage and its median time."""

    name: str
    ms: float


@dataclass(frozen=True)
class Breakdown:
    """One handler's init by stage (medians, ms) against the bare app's import and the budget."""

    handler: str
    floor_ms: float
    libraries_ms: float
    libraries: list[Part]  # in import order
    foyer_ms: float
    foyer: list[Part]  # in import order
    app_ms: float
    total_ms: float
    bare_ms: float
    budget_ms: float
    over_ms: float  # total - budget: > 0 is over budget
    floor_ratio: float  # floor / bare


@dataclass
class BudgetReport:
    runs: int
    breakdowns: list[Breakdown]

    def write_json(self, path: Path) -> None:
        """Write the breakdowns (dist/init_budget.json; dist/bench.json keeps the issue's schema)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "target": TARGETS["init"],
            "runs": self.runs,
            "stages": ["floor", LIBRARIES, FOYER, "app"],
            "floor": list(FLOOR),
            "order": ORDER_NOTE,
            "handlers": [asdict(b) for b in self.breakdowns],
        }
        path.write_text(json.dumps(document, indent=2) + "\n")


def plan(loaded: list[tuple[str, str | None, str | None]], task: str) -> list[Group]:
    """The groups to import after the floor, from a discovery run: `loaded` (name, file, spec name)
    is every module the handler's import added after the floor, in the order their imports finished.
    Libraries (top-level packages it loaded whose files are under `task`, not foyer's own), then
    foyer's modules by subpackage; a package that was loaded before (by the floor, or the stdlib's
    at start-up) is not planned. Within a stage a group comes when its last module finished, so a
    group that another needs comes first and each is charged mostly its own cost; an alias (a spec
    with another name) is never imported by its name."""
    files = {name: file for name, file, _ in loaded}
    groups: dict[tuple[str, str], list[str]] = {}
    finished: dict[tuple[str, str], int] = {}
    for position, (name, _, spec_name) in enumerate(loaded):
        if spec_name != name:
            continue
        top = name.partition(".")[0]
        if top == "foyer":
            key = (FOYER, ".".join(name.split(".")[:2]))
        elif top in OWN or not _under(files.get(top), task):
            continue  # the app's own, loaded before, the stdlib's or the runtime's
        else:
            key = (LIBRARIES, top)
        groups.setdefault(key, []).append(name)
        finished[key] = position
    ordered = sorted(groups, key=lambda key: (key[0] != LIBRARIES, finished[key]))
    return [Group(stage, name, tuple(groups[stage, name])) for stage, name in ordered]


def _under(file: str | None, folder: str) -> bool:
    return file is not None and Path(file).is_relative_to(folder)


class BudgetRunner:
    """Runs bench/budget_child.py for `layout`'s HTTP handlers through a bench Runner."""

    def __init__(self, runner: Runner, workdir: Path, floor: tuple[str, ...] = FLOOR) -> None:
        self.runner = runner
        self.workdir = workdir
        self.floor = floor

    def run(self, handler: Handler, groups: list[Group] | None) -> dict[str, Any]:
        """One fresh process: `discover` when `groups` is None, else the staged import of `groups`."""
        document = {
            "mode": "discover" if groups is None else "stages",
            "handler": handler.module,
            "floor": list(self.floor),
            "groups": [[g.stage, g.name, list(g.modules)] for g in groups or []],
        }
        plan_file = self.workdir / "plan.json"
        plan_file.write_text(json.dumps(document))
        what = f"{handler.module} {document['mode']}"
        return self.runner.spawn(handler.module, CHILD, [str(plan_file)], what)

    def discover(self, handler: Handler) -> list[Group]:
        """The groups `handler` imports beyond the floor, from one discovery run."""
        result = self.run(handler, None)
        loaded = [(name, file, spec) for name, file, spec in result["loaded"]]
        return plan(loaded, handler.paths[0])


def breakdown(handler: str, samples: list[dict[str, Any]], bare_s: list[float]) -> Breakdown:
    """`handler`'s medians by stage from its staged runs, against the bare app's import times."""
    ms = 1e3

    def parts(stage: str) -> list[Part]:
        names = [name for s, name, *_ in samples[0]["groups"] if s == stage]
        times: dict[str, list[float]] = {name: [] for name in names}
        for sample in samples:
            for s, name, elapsed, _ in sample["groups"]:
                if s == stage:
                    times[name].append(elapsed)
        return [Part(name, round(statistics.median(times[name]) * ms, 2)) for name in names]

    def stage_total(stage: str) -> float:
        return float(statistics.median(sum(g[2] for g in s["groups"] if g[0] == stage) for s in samples)) * ms

    totals = [s["floor_s"] + sum(g[2] for g in s["groups"]) + s["app_s"] for s in samples]
    bare = statistics.median(bare_s) * ms
    floor = statistics.median(s["floor_s"] for s in samples) * ms
    total = statistics.median(totals) * ms
    budget = TARGETS["init"] * bare
    return Breakdown(
        handler=handler,
        floor_ms=round(floor, 2),
        libraries_ms=round(stage_total(LIBRARIES), 2),
        libraries=parts(LIBRARIES),
        foyer_ms=round(stage_total(FOYER), 2),
        foyer=parts(FOYER),
        app_ms=round(statistics.median(s["app_s"] for s in samples) * ms, 2),
        total_ms=round(total, 2),
        bare_ms=round(bare, 2),
        budget_ms=round(budget, 2),
        over_ms=round(total - budget, 2),
        floor_ratio=round(floor / bare, 3),
    )


def measure(layout: Layout, runs: int = 7, floor: tuple[str, ...] = FLOOR) -> BudgetReport:
    """Every HTTP handler of `layout` imported in stages, `runs` fresh processes each, interleaved
    with the bare app's import; medians against the budget."""
    if not 1 <= runs <= MAX_RUNS:
        raise ValueError(f"runs must be between 1 and {MAX_RUNS}, not {runs}")
    handlers = [h for h in layout.handlers if h.trigger == HTTP]
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="foyer-budget-")))
        runner = Runner(layout, workdir)
        budget = BudgetRunner(runner, workdir, floor)
        # The discovery run is also each tree's untimed first import (the OS page cache).
        plans = {h.module: budget.discover(h) for h in handlers}
        runner.run(BARE, "import", None)
        by_module = {h.module: h for h in handlers}
        staged: dict[str, list[dict[str, Any]]] = {h.module: [] for h in handlers}
        bare: list[float] = []
        for side in interleaved(runs, (*by_module, BARE)):
            if side == BARE:
                bare.append(runner.run(BARE, "import", None)["init_s"])
            else:
                staged[side].append(budget.run(by_module[side], plans[side]))
        return BudgetReport(runs, [breakdown(m, staged[m], bare) for m in by_module])


def table(report: BudgetReport) -> Table:
    """The breakdown as one table, a row per HTTP handler."""
    target = TARGETS["init"]
    title = f"HTTP handlers' init by stage vs the budget ({target:.2f}x the bare app's import), ms"
    # No column rules, <kind>.<app> for <kind>.<app>.handler: one line per handler in 130 columns.
    result = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("handler", "floor", "libraries", "foyer", "app", "total", "bare", "budget", "over"):
        left = column in ("handler", "libraries")
        result.add_column(column, justify="left" if left else "right", no_wrap=column != "libraries")
    for b in report.breakdowns:
        costliest = sorted(b.libraries, key=lambda p: p.ms, reverse=True)[:3]
        named = ", ".join(f"{p.name} {p.ms:.1f}" for p in costliest)
        over = f"[red]+{b.over_ms:.1f}[/]" if b.over_ms > 0 else f"[green]{b.over_ms:.1f}[/]"
        result.add_row(
            b.handler.removesuffix(".handler"),
            f"{b.floor_ms:.1f}",
            f"{b.libraries_ms:.1f}" + (f": {named}" if named else ""),
            f"{b.foyer_ms:.1f}",
            f"{b.app_ms:.1f}",
            f"{b.total_ms:.1f}",
            f"{b.bare_ms:.1f}",
            f"{b.budget_ms:.1f}",
            over,
        )
    return result


def print_report(console: Console, report: BudgetReport, json_path: Path) -> None:
    """The table, the floor's ratio to the bare app, and how to read them."""
    console.print(table(report))
    ratios = sorted(b.floor_ratio for b in report.breakdowns)
    floor = f"{ratios[0]:.2f}-{ratios[-1]:.2f}x" if ratios else "-"
    console.print(
        f"The floor is {floor} the bare app's import. Medians of {report.runs} fresh processes per "
        "handler, interleaved with the bare app's import. floor: foyer.cold_start's init_phase entered, "
        f"then {', '.join(FLOOR)}; libraries: third-party packages beyond those (the 3 costliest named); "
        "foyer: foyer's modules; app: the rest of the handler's import; over: total - budget. The "
        f"{ORDER_NOTE}. Figures: {json_path}",
        highlight=False,
    )


def runs_arg(text: str) -> int:
    """A command line's run count, refused outside 1-MAX_RUNS (argparse reports the message)."""
    runs = int(text)
    if not 1 <= runs <= MAX_RUNS:
        raise argparse.ArgumentTypeError(f"between 1 and {MAX_RUNS}, not {runs}")
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.init_budget", description=__doc__)
    runs_help = f"fresh processes per side (1-{MAX_RUNS}, default 7)"
    parser.add_argument("--runs", type=runs_arg, default=7, help=runs_help)
    parser.add_argument("--json", type=Path, default=Path("dist/init_budget.json"), help="where to write it")
    args = parser.parse_args(argv)
    console = Console(width=max(Console().width, 130))
    with ExitStack() as stack, console.status("importing every HTTP handler in stages"):
        report = measure(prepare(Path.cwd().resolve(), stack), args.runs)
    report.write_json(args.json)
    print_report(console, report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
