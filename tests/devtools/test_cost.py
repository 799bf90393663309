"""devtools.cli.cost: the stated model, the memory read from Terraform, the table `make cost` prints."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from devtools.cli import cost
from devtools.cli.cost import Measured, Profile

REPO = Path(__file__).resolve().parents[2]
FLAT = Profile(
    requests_per_month=1_000_000,
    cold_share=0.0,
    io_ms=0.0,
    first_use_ms=0.0,
    cold_goal_ms=1e9,
    warm_goal_ms=1e9,
)


def test_cpu_share_grows_with_memory_up_to_one_vcpu() -> None:
    assert cost.cpu_slowdown(1769) == 1.0
    assert cost.cpu_slowdown(3008) == 1.0  # one thread gains nothing past one vCPU
    assert cost.cpu_slowdown(512) == pytest.approx(1769 / 512)


def test_a_warm_request_is_billed_by_the_millisecond_plus_the_request_price() -> None:
    at = cost.estimate(Measured("h", init_ms=200, warm_ms=0.4), 1769, FLAT)
    # 0.4 ms rounds up to 1 billed ms; 1M requests at 1769/1024 GB.
    compute = 1_000_000 * 0.001 * 1769 / 1024 * cost.GB_SECOND_USD
    assert at.monthly_usd == pytest.approx(compute + 0.20)
    assert at.warm_ms == pytest.approx(0.4)
    assert at.cold_ms == pytest.approx(200.4)


def test_io_wait_does_not_shrink_with_memory_so_more_memory_costs_more() -> None:
    profile = Profile(io_ms=20.0, cold_share=0.0, warm_goal_ms=1e9, cold_goal_ms=1e9)
    measured = Measured("h", init_ms=200, warm_ms=1.0)
    small, large = cost.estimate(measured, 512, profile), cost.estimate(measured, 1769, profile)
    assert small.warm_ms == pytest.approx(1769 / 512 + 20)
    assert small.monthly_usd < large.monthly_usd


def test_the_cheapest_memory_is_the_smallest_that_meets_the_goal() -> None:
    profile = Profile(io_ms=10.0, first_use_ms=200.0, cold_goal_ms=1000.0, warm_goal_ms=50.0)
    best = cost.cheapest(Measured("h", init_ms=216, warm_ms=0.07), profile)
    assert best is not None
    # 512 MB: (216 + 200) ms x 3.46 = 1.44 s cold, over the goal; 768 MB: 0.97 s.
    assert best.memory_mb == 768
    assert cost.cheapest(Measured("h", init_ms=5000, warm_ms=0.07), profile) is None


def test_memory_comes_from_the_root_or_else_the_module_default(tmp_path: Path) -> None:
    module = tmp_path / "modules" / "lambda_app"
    module.mkdir(parents=True)
    module.joinpath("variables.tf").write_text(
        'variable "memory_size" {\n  type    = number\n  default = 640\n\n  validation {\n  }\n}\n'
    )
    (tmp_path / "environments" / "local").mkdir(parents=True)
    (tmp_path / "environments" / "local" / "main.tf").write_text('module "app" {\n  handler = "x"\n}\n')
    (tmp_path / "environments" / "prod").mkdir(parents=True)
    (tmp_path / "environments" / "prod" / "main.tf").write_text('module "app" {\n  memory_size = 1024\n}\n')
    assert cost.environment_memory(tmp_path) == {"local": 640, "prod": 1024}


def test_the_repositorys_environments_are_read() -> None:
    memory = cost.environment_memory(REPO / "terraform")
    assert "local" in memory
    assert 128 <= memory["local"] <= 10240


def test_make_cost_prints_a_row_per_function_and_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = [
        {"handler": "services.a.handler", "measure": "init", "value": 216.0},
        {"handler": "services.a.handler", "measure": "warm", "value": 70.0},
        {"handler": "services.a.handler", "measure": "size", "value": 6e6},
    ]
    bench = tmp_path / "bench.json"
    bench.write_text(json.dumps(figures))
    assert cost.main(["--bench", str(bench), "--terraform", str(REPO / "terraform")]) == 0
    out = capsys.readouterr().out
    assert "services.a.handler  216 ms  70 µs  0              local:" in out  # no traffic reaches it
    assert "cheapest in goal" in out
    assert "1769 MB = 1 vCPU" in out
    assert "BFF requests a month web 3,000,000" in out
    assert cost.main(["--bench", str(tmp_path / "missing.json")]) == 2


def test_each_function_is_priced_at_the_calls_the_traffic_sends_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = [
        {"handler": handler, "measure": measure, "value": value}
        for handler in ("bff.web.handler", "services.orders.handler")
        for measure, value in (("init", 300.0), ("warm", 80.0))
    ]
    bench = tmp_path / "bench.json"
    bench.write_text(json.dumps(figures))
    args = ["--bench", str(bench), "--terraform", str(REPO / "terraform"), "--bff", "web=1000000"]
    assert cost.main([*args, "--bff", "mobile=0", "--bff", "partner=0"]) == 0
    calls = {line.split()[0]: line.split()[5] for line in capsys.readouterr().out.splitlines() if line}
    assert calls["bff.web.handler"] == "1,000,000"
    # 2 calls per request over web's 4 services; orders call the catalog, not the orders service.
    assert calls["services.orders.handler"] == "500,000"
    # The orders' consumers have no figures of their own: priced with the orders handler's, marked.
    assert calls["services.orders.consumers*"] == "40,000"  # 20,000 orders, 2 events each it takes


def test_a_consumer_with_figures_of_its_own_is_priced_with_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = [
        {"handler": handler, "measure": measure, "value": value}
        for handler, init in (("services.orders.handler", 300.0), ("services.orders.consumers", 110.0))
        for measure, value in (("init", init), ("warm", 80.0))
    ]
    bench = tmp_path / "bench.json"
    bench.write_text(json.dumps(figures))
    assert cost.main(["--bench", str(bench), "--terraform", str(REPO / "terraform")]) == 0
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines() if line}
    assert rows["services.orders.consumers"][1:3] == ["110", "ms"]
    assert "services.orders.consumers*" not in rows
    # The timeline has no figures here: its app's HTTP handler's, marked, and the mark explained.
    assert rows["services.orders.timeline_consumer*"][1:3] == ["300", "ms"]
    assert rows["*:"]


def test_a_function_without_figures_takes_its_apps_http_handlers_not_a_consumers() -> None:
    measured = [
        Measured("services.orders.consumers", 110.0, 0.001),
        Measured("services.orders.handler", 300.0, 0.08),
    ]
    rows = cost.with_consumers(measured, {"services.orders.timeline_consumer": 1000.0})
    assert rows[-1] == Measured("services.orders.timeline_consumer*", 300.0, 0.08)


def test_more_traffic_costs_more_at_the_same_memory() -> None:
    measured = Measured("h", init_ms=200, warm_ms=0.07)
    assert (
        cost.estimate(measured, 768, FLAT, 2_000_000).monthly_usd
        > cost.estimate(measured, 768, FLAT).monthly_usd
    )


def test_a_schedule_measured_at_init_only_is_priced_cold_on_every_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = [
        {"handler": "services.orders.handler", "measure": "init", "value": 300.0},
        {"handler": "services.orders.handler", "measure": "warm", "value": 80.0},
        {"handler": "services.orders.reconciler", "measure": "init", "value": 100.0},
        {"handler": "services.orders.reconciler", "measure": "size", "value": 6e6},
        {"handler": "foyer.events.handler", "measure": "init", "value": 90.0},
        {"handler": "foyer.events.handler", "measure": "warm", "value": 1.2},
    ]
    bench = tmp_path / "bench.json"
    bench.write_text(json.dumps(figures))
    assert cost.main(["--bench", str(bench), "--terraform", str(REPO / "terraform")]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line for line in out.splitlines() if line}
    # Its own init, no warm figure, and rate(5 minutes) = 8,760 runs in a month of 730 hours.
    assert rows["services.orders.reconciler"].split()[1:6] == ["100", "ms", "not", "measured", "8,760"]
    assert "services.orders.reconciler*" not in rows
    assert "not measured: priced as a cold start on every run" in out
    # Every event of an order comes from an outbox app: 4 relay invocations per order, 110,000 orders.
    assert rows["foyer.events.handler"].split()[5] == "440,000"
    assert "the outbox relays of inventory, orders, payments together" in out


def test_a_schedule_it_cannot_price_is_named_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = tmp_path / "bench.json"
    bench.write_text("[]")
    terraform = tmp_path / "terraform"
    shutil.copytree(REPO / "terraform" / "modules", terraform / "modules")
    shutil.copytree(REPO / "terraform" / "environments", terraform / "environments")
    main_tf = terraform / "modules" / "platform" / "main.tf"
    main_tf.write_text(main_tf.read_text().replace('"rate(5 minutes)"', '"cron(0/5 * * * ? *)"'))
    assert cost.main(["--bench", str(bench), "--terraform", str(terraform)]) == 2
    assert "make cost: cannot price the schedule 'cron(0/5 * * * ? *)'" in capsys.readouterr().err


def test_without_a_warm_figure_every_call_is_a_cold_start_of_io_only() -> None:
    profile = Profile(
        requests_per_month=1000,
        cold_share=0.01,
        io_ms=10.0,
        first_use_ms=200.0,
        cold_goal_ms=1e9,
        warm_goal_ms=1e9,
    )
    at = cost.estimate(Measured("s", init_ms=100.0, warm_ms=None), 1769, profile)
    assert at.warm_ms == 10.0  # I/O only: no CPU figure to add
    assert at.cold_ms == 310.0  # init + first use + the I/O, at one vCPU
    assert at.monthly_usd == pytest.approx(
        1000 * 310 / 1000 * 1769 / 1024 * cost.GB_SECOND_USD + 1000 * cost.REQUEST_USD
    )
