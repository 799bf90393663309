"""bench.report: docs/performance.md rendered from the figure files `make bench` leaves in dist/."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from bench import __main__ as bench_main
from bench import consumer_overhead, fanout, fanout_lambda, init_budget, lambda_cold_warm, order_latency, runs
from bench.init_budget import BudgetReport
from bench.lambda_cold_warm import Report, figure
from bench.layout import Layout
from bench.report import main

FIGURES = Path(__file__).parent / "figures"


def sections(page: str) -> list[str]:
    return [line.removeprefix("## ") for line in page.splitlines() if line.startswith("## ")]


def test_the_page_has_one_table_per_measure_with_targets_beside_the_figures(tmp_path: Path) -> None:
    out = tmp_path / "performance.md"
    assert main(["--json", str(FIGURES / "bench.json"), "--out", str(out)]) == 0
    page = out.read_text()
    assert sections(page) == [
        "Cold start (init)",
        "Warm invocation",
        "Zip size",
        "HTTP handlers' init by stage",
        "SQS consumer overhead",
        "Order latency",
    ]
    assert "| `bff.web.handler` | 200.0 | 220.0 | 0.91 | <= 0.85 | **missed** |" in page
    assert "| `services.orders.handler` | 180.5 | 220.0 | 0.82 | <= 0.85 | met |" in page
    assert "| `services.orders.handler` | 5.80 | 5.00 | 1.16 | <= 1.20 | met |" in page
    assert "| `bff.web.handler` | 150.0 | 20.0 | 12.5 | 17.5 | 200.0 | 187.0 | +13.0 | **missed** |" in page
    assert "| poller / raw | 0.42x | >= 0.5 | **missed** |" in page
    assert "| p50 | 1930 ms | - | - |" in page


def test_the_header_says_what_writes_the_page_and_how_to_regenerate_it(tmp_path: Path) -> None:
    out = tmp_path / "performance.md"
    main(["--json", str(FIGURES / "bench.json"), "--out", str(out)])
    header = out.read_text().split("\n## ")[0]
    assert "Written by `make bench`" in header
    assert "`python -m bench.report`" in header


def test_without_the_other_files_the_page_has_the_handlers_measures_only(tmp_path: Path) -> None:
    shutil.copy(FIGURES / "bench.json", tmp_path / "bench.json")
    out = tmp_path / "performance.md"
    assert main(["--json", str(tmp_path / "bench.json"), "--out", str(out)]) == 0
    assert sections(out.read_text()) == ["Cold start (init)", "Warm invocation", "Zip size"]


def test_without_figures_it_says_to_run_the_bench(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "performance.md"
    assert main(["--json", str(tmp_path / "bench.json"), "--out", str(out)]) == 1
    assert "run `make bench` first" in capsys.readouterr().err
    assert not out.exists()


def test_a_run_figure_is_met_against_a_ceiling_or_a_floor() -> None:
    assert runs.RunFigure("p50 / 20 ms", 1.1, "x", 1.15).met is True
    assert runs.RunFigure("p50 / 20 ms", 1.2, "x", 1.15).met is False
    assert runs.RunFigure("poller / raw", 0.6, "x", 0.5, at_least=True).met is True
    assert runs.RunFigure("poller / raw", 0.4, "x", 0.5, at_least=True).met is False
    assert runs.RunFigure("p99", 900.0, "ms").met is None


def test_a_full_bench_run_ends_by_writing_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    layout = Layout(sys.executable, [], [], [], 0)
    handlers = Report([figure("bff.web.handler", "init", 180.0, 200.0)], [], [], 1, 1, 1, {})
    monkeypatch.setattr(bench_main, "prepare", lambda root, stack: layout)
    monkeypatch.setattr(lambda_cold_warm, "measure", lambda *a: handlers)
    monkeypatch.setattr(init_budget, "measure", lambda *a: BudgetReport(1, []))
    monkeypatch.setattr(
        consumer_overhead, "run", lambda console: consumer_overhead.Report([60.0], [100.0], 100)
    )
    monkeypatch.setattr(
        order_latency, "run", lambda console, root: {"p50": 1900.0, "p99": 2500.0, "max": 2600.0}
    )
    monkeypatch.setattr(fanout, "run", lambda console: {"p50": 1.1, "p99": 1.4, "rps": 0.9})
    monkeypatch.setattr(fanout_lambda, "run", lambda console: {"p50": 1.05, "p99": 1.3, "median_ms": 21.0})
    page = tmp_path / "docs" / "performance.md"
    code = bench_main.main(
        ["--json", str(tmp_path / "bench.json"), "--budget-json", str(tmp_path / "init_budget.json"),
         "--report", str(page)]
    )  # fmt: skip
    capsys.readouterr()
    assert code == 0
    text = page.read_text()
    assert sections(text) == [
        "Cold start (init)",
        "HTTP handlers' init by stage",
        "SQS consumer overhead",
        "Order latency",
        "Fan-out under uvicorn",
        "Fan-out in a Lambda process",
    ]
    assert "| poller / raw | 0.6x | >= 0.5 | met |" in text
    assert "| req/s vs aiohttp baseline | 0.9x | >= 0.8 | met |" in text
    written = json.loads((tmp_path / runs.FILE_NAME).read_text())
    assert [m["name"] for m in written] == [
        "SQS consumer overhead",
        "Order latency",
        "Fan-out under uvicorn",
        "Fan-out in a Lambda process",
    ]
