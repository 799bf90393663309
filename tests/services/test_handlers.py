"""Every service's Lambda entry point fails at init, loudly, when a setting it needs is missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from foyer.cli.package import discover_apps

REPO = Path(__file__).resolve().parents[2]
HANDLERS = [f"{app.kind}.{app.name}.handler" for app in discover_apps(REPO) if app.kind == "services"]


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
