"""bench.init_budget: which stage each module of a handler's init is charged to, the figures it writes
to dist/init_budget.json, and `python -m bench` printing it (a tiny fake layout stands in for a zip)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

import bench.__main__ as bench_main
from bench import init_budget, lambda_cold_warm
from bench.init_budget import FOYER, LIBRARIES, BudgetReport, BudgetRunner, Group, Part, breakdown, plan
from bench.lambda_cold_warm import Report, Runner
from bench.layout import BARE_MODULE, HTTP, QUEUE, Handler, Layout

HANDLER = "services.demo.handler"
FLOOR = ("frame",)  # the fake framework

# A packaged app in miniature: two libraries sharing a module, a library only foyer imports, foyer
# subpackages, the app's own modules, a stdlib module only the app imports, and a runtime package.
TASK = {
    "frame/__init__.py": "",
    "foyer/__init__.py": "",
    "foyer/cold_start.py": (
        "import contextlib\n\n\n@contextlib.contextmanager\ndef init_phase():\n    yield\n"
    ),
    "foyer/settings.py": "import frame\n",
    "foyer/upstream/__init__.py": "from foyer.upstream import client\n",
    "foyer/upstream/client.py": (
        "import gamma\nfrom foyer.upstream import exceptions\nfrom foyer import settings\n"
    ),
    "foyer/upstream/exceptions.py": "",
    "alpha/__init__.py": "from alpha import core\n",
    "alpha/core.py": "import shared\n",
    "beta.py": "import shared\n",
    "shared.py": "",
    "gamma.py": "",
    "services/__init__.py": "",
    "services/demo/__init__.py": "",
    "services/demo/routes.py": "import colorsys\n",
    "services/demo/handler.py": (
        "from foyer.cold_start import init_phase\n\n"
        "with init_phase():\n"
        "    import alpha\n    import beta\n    import foyer.upstream\n    import rt\n"
        "    from services.demo import routes\n\n"
        "    def handler(event, context):\n        return {'statusCode': 200}\n"
    ),
}
RUNTIME = {"rt/__init__.py": ""}  # like boto3 in Lambda's /var/runtime


def _write(base: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_text(source)
    return base


@pytest.fixture
def budget(tmp_path: Path) -> BudgetRunner:
    task, runtime = _write(tmp_path / "task", TASK), _write(tmp_path / "runtime", RUNTIME)
    bare = _write(tmp_path / "bare", {f"{BARE_MODULE}.py": "import frame\nhandler = None\n"})
    handlers = [
        Handler(HANDLER, "demo", [str(task), str(runtime)], 0, 0, HTTP),
        # Not an HTTP entry point: never imported (the module does not even exist).
        Handler("services.demo.consumer", "demo", [str(task), str(runtime)], 0, 0, QUEUE),
    ]
    layout = Layout(sys.executable, ["-I", "-S"], handlers, [str(bare), str(task)], 0)
    workdir = tmp_path / "run"
    workdir.mkdir()
    return BudgetRunner(Runner(layout, workdir), workdir, FLOOR)


EXPECTED_PLAN = [
    # Libraries, each when its last module finished: `shared` (which alpha and beta import) first.
    Group(LIBRARIES, "shared", ("shared",)),
    Group(LIBRARIES, "alpha", ("alpha.core", "alpha")),  # as their imports finished
    Group(LIBRARIES, "beta", ("beta",)),
    Group(LIBRARIES, "gamma", ("gamma",)),  # only foyer imports it: still a library
    # foyer.upstream needs foyer.settings: it comes first, though foyer.upstream.exceptions finished earlier.
    Group(FOYER, "foyer.settings", ("foyer.settings",)),
    Group(FOYER, "foyer.upstream", ("foyer.upstream.exceptions", "foyer.upstream.client", "foyer.upstream")),
]


def test_discovery_plans_the_libraries_then_foyer_by_subpackage_dependencies_first(
    budget: BudgetRunner,
) -> None:
    (handler, _) = budget.runner.layout.handlers
    # Not planned: the floor (frame), the app's own (services), the stdlib (colorsys), the runtime (rt).
    assert budget.discover(handler) == EXPECTED_PLAN


def test_a_module_shared_by_two_stages_is_charged_to_the_first_that_imports_it(budget: BudgetRunner) -> None:
    (handler, _) = budget.runner.layout.handlers
    in_start_order = [
        Group(LIBRARIES, "alpha", ("alpha", "alpha.core")),
        Group(LIBRARIES, "beta", ("beta",)),
        Group(FOYER, "foyer.upstream", ("foyer.upstream", "foyer.upstream.client")),
    ]
    result = budget.run(handler, in_start_order)
    charged = {name: set(loaded) for _, name, _, loaded in result["groups"]}
    assert charged == {
        "alpha": {"alpha", "alpha.core", "shared"},
        "beta": {"beta"},  # shared was alpha's
        "foyer.upstream": {
            "foyer.upstream",
            "foyer.upstream.client",
            "foyer.upstream.exceptions",
            "gamma",
            "foyer.settings",
        },
    }
    assert {"services.demo.handler", "services.demo.routes", "colorsys", "rt"} <= set(result["app_modules"])
    assert not {"frame", "alpha", "gamma"} & set(result["app_modules"])


def test_plan_leaves_out_aliases_the_runtime_the_stdlib_and_packages_loaded_before() -> None:
    task = "/var/task"
    loaded: list[tuple[str, str | None, str | None]] = [
        ("lib.part", "/var/task/lib/part.py", "lib.part"),
        ("lib.moves", None, "six.moves"),  # an alias: not importable by its name
        ("foyer.identity.base", "/var/task/foyer/identity/base.py", "foyer.identity.base"),
        ("foyer.identity", "/var/task/foyer/identity/__init__.py", "foyer.identity"),
        ("lib", "/var/task/lib/__init__.py", "lib"),
        ("boto3", "/var/runtime/boto3/__init__.py", "boto3"),
        ("json.decoder", "/usr/lib/python3.12/json/decoder.py", "json.decoder"),
        ("pydantic.networks", "/var/task/pydantic/networks.py", "pydantic.networks"),  # the floor's
        ("bff.web.app", "/var/task/bff/web/app.py", "bff.web.app"),
    ]
    groups = plan(loaded, task)
    assert groups == [
        Group(LIBRARIES, "lib", ("lib.part", "lib")),
        Group(FOYER, "foyer.identity", ("foyer.identity.base", "foyer.identity")),
    ]


def _sample(floor: float, groups: list[tuple[str, str, float]], app: float) -> dict[str, Any]:
    return {"floor_s": floor, "groups": [[s, n, t, []] for s, n, t in groups], "app_s": app}


def test_a_breakdown_is_per_stage_medians_against_085x_the_bare_import() -> None:
    httpx, tenacity, foyer_x = (LIBRARIES, "httpx"), (LIBRARIES, "tenacity"), (FOYER, "foyer.x")
    samples = [
        _sample(0.150, [(*httpx, 0.010), (*tenacity, 0.003), (*foyer_x, 0.002)], 0.010),
        _sample(0.160, [(*httpx, 0.012), (*tenacity, 0.001), (*foyer_x, 0.004)], 0.020),
        _sample(0.170, [(*httpx, 0.014), (*tenacity, 0.005), (*foyer_x, 0.003)], 0.030),
    ]
    b = breakdown("bff.web.handler", samples, [0.190, 0.200, 0.210])
    assert b.floor_ms == 160.0
    assert b.libraries == [Part("httpx", 12.0), Part("tenacity", 3.0)]  # in import order
    assert b.libraries_ms == 13.0  # the median of the per-run sums (13, 13, 19), not 12 + 3
    assert (b.foyer_ms, b.app_ms) == (3.0, 20.0)
    assert b.total_ms == 197.0  # the median of the per-run totals 175, 197, 222
    assert (b.bare_ms, b.budget_ms) == (200.0, 170.0)
    assert b.over_ms == 27.0
    assert b.floor_ratio == 0.8


def test_dist_init_budget_json_holds_every_http_handler_by_stage(
    budget: BudgetRunner, tmp_path: Path
) -> None:
    report = init_budget.measure(budget.runner.layout, runs=2, floor=FLOOR)
    report.write_json(tmp_path / "dist" / "init_budget.json")
    written = json.loads((tmp_path / "dist" / "init_budget.json").read_text())
    assert (written["target"], written["runs"]) == (0.85, 2)
    assert written["stages"] == ["floor", "libraries", "foyer", "app"]
    assert "charged to the first" in written["order"]
    (entry,) = written["handlers"]  # the queue consumer is not an HTTP entry point
    assert entry["handler"] == HANDLER
    assert [p["name"] for p in entry["libraries"]] == ["shared", "alpha", "beta", "gamma"]
    assert [p["name"] for p in entry["foyer"]] == ["foyer.settings", "foyer.upstream"]
    assert set(entry) == {
        "handler", "floor_ms", "libraries_ms", "libraries", "foyer_ms", "foyer", "app_ms", "total_ms",
        "bare_ms", "budget_ms", "over_ms", "floor_ratio",
    }  # fmt: skip
    assert entry["budget_ms"] == pytest.approx(0.85 * entry["bare_ms"], abs=0.01)
    assert entry["over_ms"] == pytest.approx(entry["total_ms"] - entry["budget_ms"], abs=0.02)


def test_run_counts_outside_the_bound_are_refused() -> None:
    with pytest.raises(ValueError, match="between 1 and"):
        init_budget.measure(Layout(sys.executable, [], [], [], 0), runs=0)
    with pytest.raises(SystemExit):
        bench_main.main(["--budget-runs", str(init_budget.MAX_RUNS + 1)])


LIBRARY_PARTS = [Part("purgatory", 6.0), Part("httpx", 11.0), Part("idna", 1.0), Part("tenacity", 3.0)]
BUDGET = BudgetReport(
    3,
    [
        init_budget.Breakdown(
            "bff.web.handler", 160.0, 21.0, LIBRARY_PARTS, 25.0, [Part("foyer.upstream", 3.0)], 12.0,
            218.0, 210.0, 178.5, 39.5, 0.762,
        )
    ],
)  # fmt: skip


def test_make_bench_prints_the_budget_table_with_handlers_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    measured: list[int] = []

    def fake_budget(layout: Layout, runs: int) -> BudgetReport:
        measured.append(runs)
        return BUDGET

    def not_with_handlers_only(*args: object) -> None:
        raise AssertionError("--handlers-only runs only the handlers")

    monkeypatch.setenv("COLUMNS", "220")  # every row on one line (rich wraps cells to the terminal)
    layout = Layout(sys.executable, [], [], [], 0)
    monkeypatch.setattr(bench_main, "prepare", lambda root, stack: layout)
    monkeypatch.setattr(lambda_cold_warm, "measure", lambda *a: Report([], [], [], 1, 1, 1, {}))
    monkeypatch.setattr(init_budget, "measure", fake_budget)
    for other in ("consumer_overhead", "order_latency", "fanout", "fanout_lambda"):
        monkeypatch.setattr(getattr(bench_main, other), "run", not_with_handlers_only)
    code = bench_main.main(
        ["--handlers-only", "--budget-runs", "3", "--json", str(tmp_path / "bench.json"),
         "--budget-json", str(tmp_path / "init_budget.json")]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert measured == [3]
    assert "init by stage vs the budget" in out
    assert "httpx 11.0, purgatory 6.0, tenacity 3.0" in out  # the 3 costliest libraries, costliest first
    assert "+39.5" in out  # over budget
    assert "The floor is 0.76-0.76x the bare app's import" in out
    assert json.loads((tmp_path / "init_budget.json").read_text())["handlers"][0]["over_ms"] == 39.5
    assert json.loads((tmp_path / "bench.json").read_text()) == []  # its own file, its own schema
