"""Every service's Lambda entry point (its HTTP handler, and every queue consumer and schedule Terraform's
apps map runs from its zip) fails at init, loudly, when a setting it needs is missing: never at its
first request or batch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from devtools.cli.package import discover_apps
from devtools.terraform_source import read_topology

REPO = Path(__file__).resolve().parents[2]
SERVICES = [app.name for app in discover_apps(REPO) if app.kind == "services"]
TOPOLOGY = read_topology(REPO / "terraform").apps
HANDLERS = (
    [f"services.{name}.handler" for name in SERVICES]
    + [
        function.handler.rpartition(".")[0]
        for name in SERVICES
        for function in (*TOPOLOGY[name].consumers, *TOPOLOGY[name].schedules)
    ]
    + ["foyer.events.handler"]
)  # the outbox relay each outbox app's zip runs (events.tf)


def test_the_functions_of_the_apps_map_are_all_checked() -> None:
    assert "services.orders.reconciler" in HANDLERS
    assert "services.notifications.consumers" in HANDLERS
    assert read_topology(REPO / "terraform").relay_handler == "foyer.events.handler.handler"


@pytest.mark.parametrize("module", HANDLERS)
def test_a_handler_without_its_table_fails_at_import_naming_it(module: str) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "AWS_LAMBDA_FUNCTION_NAME": "foyer-probe",  # what Lambda sets: the init checks its settings
        "FOYER_STACK_FILE": "/nonexistent/stack.json",
        "PYTHONPATH": str(REPO),
    }
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "StartupError" in done.stderr
    assert "TABLE_NAME: field required" in done.stderr
