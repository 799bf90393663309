"""bench.lambda_cold_warm: the figures `make bench` writes to dist/bench.json and how sides alternate."""

from __future__ import annotations

import json
from pathlib import Path

from bench.lambda_cold_warm import Report, figure, interleaved
from bench.layout import closure

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
