"""bench.lambda_cold_warm: the figures `make bench` writes to dist/bench.json and how sides alternate."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bench.lambda_cold_warm import EMPTY_BATCH, Report, Runner, figure, interleaved
from bench.layout import QUEUE, SCHEDULE, Handler, Layout, closure

REPO = Path(__file__).resolve().parents[2]


def test_a_figure_says_its_ratio_target_and_whether_it_is_met() -> None:
    init = figure("services.a.handler", "init", 170.0, 200.0)
    assert (init.ratio, init.target, init.met) == (0.85, 0.85, True)
    warm = figure("services.a.handler", "warm", 61.0, 60.0)
    assert warm.target == 1.0
    assert not warm.met
    assert figure("services.a.handler", "size", 6.0e6, 5.0e6).met  # 1.2x


def test_dist_bench_json_is_a_list_of_the_issues_fields(tmp_path: Path) -> None:
    report = Report([figure("services.a.handler", "init", 180.0, 200.0)], [], [], 1, 1, 1, {})
    report.write_json(tmp_path / "dist" / "bench.json")
    (written,) = json.loads((tmp_path / "dist" / "bench.json").read_text())
    assert written == {
        "handler": "services.a.handler",
        "measure": "init",
        "value": 180.0,
        "baseline": 200.0,
        "ratio": 0.9,
        "target": 0.85,
        "met": False,
    }


def test_every_side_runs_once_per_round_and_none_always_first() -> None:
    order = list(interleaved(3, ("a", "b", "bare")))
    assert order == ["a", "b", "bare", "b", "bare", "a", "bare", "a", "b"]


def test_the_bare_baseline_is_fastapi_mangum_pydantic_and_their_dependencies() -> None:
    wanted = closure(REPO / "uv.lock", ("fastapi", "mangum", "pydantic"))
    assert {"fastapi", "mangum", "pydantic", "pydantic-core", "starlette"} <= wanted
    assert not {"pydantic-settings", "httpx", "tenacity", "boto3"} & wanted


# Stand-ins for packaged entry points, run by the bench's real child in a fresh interpreter.
CONSUMERS = {
    "acknowledging": "def handler(event, context):\n    return {'batchItemFailures': []}\n",
    "failing": (
        "def handler(event, context):\n    return {'batchItemFailures': [{'itemIdentifier': 'm-1'}]}\n"
    ),
    "scheduled": "def handler(event, context):\n    raise RuntimeError('a schedule is not invoked')\n",
}


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    task = tmp_path / "task"
    task.mkdir()
    for name, source in CONSUMERS.items():
        (task / f"{name}.py").write_text(source)
    handlers = [
        Handler(name, "orders", [str(task)], 0, 0, SCHEDULE if name == "scheduled" else QUEUE)
        for name in CONSUMERS
    ]
    layout = Layout(sys.executable, ["-I", "-S"], handlers, [str(task)], 0)
    workdir = tmp_path / "run"
    workdir.mkdir()
    return Runner(layout, workdir)


def test_a_consumer_that_acknowledges_the_warm_batch_is_timed(runner: Runner) -> None:
    result = runner.run("acknowledging", "warm", runner.event_file(EMPTY_BATCH), calls=20, warmup=2)
    assert result["status"] == 200
    assert result["call_ns"] > 0


def test_a_consumer_that_fails_a_record_cannot_bench(runner: Runner) -> None:
    with pytest.raises(RuntimeError, match="answered 500, not 200"):
        runner.run("failing", "cold", runner.event_file(EMPTY_BATCH))


def test_a_scheduled_handler_is_imported_and_never_invoked(runner: Runner) -> None:
    result = runner.run("scheduled", "import", None)
    assert result["init_s"] > 0
    assert "status" not in result
    with pytest.raises(RuntimeError, match="a schedule is not invoked"):
        runner.run("scheduled", "cold", runner.event_file(EMPTY_BATCH))
