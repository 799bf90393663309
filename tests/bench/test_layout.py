"""bench.layout: the baseline runs as foyer's handlers do, bytecode included; every Lambda entry point
of the apps map is benched."""

from __future__ import annotations

import re
import shutil
from contextlib import ExitStack
from pathlib import Path

from bench.layout import (
    AUTHORIZER,
    BARE_MODULE,
    HTTP,
    QUEUE,
    SCHEDULE,
    STREAM,
    EntryPoint,
    entry_points,
    prepare,
)
from devtools.cli.package import discover_apps
from devtools.terraform_source import read_topology

REPO = Path(__file__).resolve().parents[2]


def _pyc_flags(path: Path) -> int:
    return int.from_bytes(path.read_bytes()[4:8], "little")  # PEP 552: 0b01 = unchecked hash


def test_the_bare_handler_is_compiled_as_foyer_handlers_are() -> None:
    with ExitStack() as stack:
        layout = prepare(REPO, stack)
        (bare_pyc,) = Path(layout.bare_paths[0]).glob(f"__pycache__/{BARE_MODULE}.cpython-312.pyc")
        handler = layout.handlers[0]
        (foyer_pyc,) = Path(handler.paths[0]).glob(
            f"{handler.module.rpartition('.')[0].replace('.', '/')}/__pycache__/handler.cpython-312.pyc"
        )
        assert _pyc_flags(bare_pyc) == _pyc_flags(foyer_pyc) == 0b01


def test_every_function_the_apps_map_declares_is_an_entry_point_of_its_own() -> None:
    points = {p.module: p for p in entry_points(discover_apps(REPO), read_topology(REPO / "terraform"))}
    # Read independently of the topology reader: every handler string in the platform's main.tf.
    main_tf = (REPO / "terraform" / "modules" / "platform" / "main.tf").read_text()
    declared = {
        h.rpartition(".")[0] for h in re.findall(r'handler\s*=\s*"((?:services|bff)\.[^"]+)"', main_tf)
    }
    assert declared <= points.keys()
    assert points["services.orders.timeline_consumer"] == EntryPoint(
        "services.orders.timeline_consumer", "orders", QUEUE
    )
    assert points["services.orders.reconciler"] == EntryPoint(
        "services.orders.reconciler", "orders", SCHEDULE
    )
    assert points["services.orders.handler"].trigger == HTTP
    assert points["bff.authorizer.handler"].trigger == AUTHORIZER
    # The outbox relay (events.tf: one function per outbox app, the same module in each app's zip)
    # is benched once, from the first outbox app's zip.
    assert points["foyer.events.handler"] == EntryPoint("foyer.events.handler", "inventory", STREAM)
    assert (
        sum(p.trigger == STREAM for p in entry_points(discover_apps(REPO), read_topology(REPO / "terraform")))
        == 1
    )


def test_a_consumer_or_schedule_added_to_the_apps_map_is_benched(tmp_path: Path) -> None:
    terraform = tmp_path / "terraform"
    shutil.copytree(REPO / "terraform" / "modules" / "platform", terraform / "modules" / "platform")
    main_tf = terraform / "modules" / "platform" / "main.tf"
    catalog = '      handler = "services.catalog.handler.handler"\n'
    added = (
        "      consumers = {\n        prices = {\n"
        '          handler = "services.catalog.price_consumer.handler"\n'
        '          sources = ["foyer.orders"]\n          events  = ["OrderPlaced"]\n        }\n      }\n'
        "      schedules = {\n        sweep = {\n"
        '          handler    = "services.catalog.sweep.handler"\n'
        '          expression = "rate(1 hour)"\n        }\n      }\n'
    )
    assert main_tf.read_text().count(catalog) == 1
    main_tf.write_text(main_tf.read_text().replace(catalog, catalog + added))
    points = entry_points(discover_apps(REPO), read_topology(terraform))
    assert EntryPoint("services.catalog.price_consumer", "catalog", QUEUE) in points
    assert EntryPoint("services.catalog.sweep", "catalog", SCHEDULE) in points
