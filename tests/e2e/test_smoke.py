"""`make smoke` against the dev stack in Lambda mode: the post-deploy checks a user runs after
`terraform apply`, run here against the local API Gateways, the demo partner key and the emulator
(the stack file `make dev` writes), so the script is proven on every `make test`."""

from __future__ import annotations

import os
import subprocess
import sys

from devtools.devstack.stack import ROOT
from e2e.devstack import RunningStack

CHECKS = (
    "health mobile",
    "health partner",
    "health web",
    "cors preflight web",
    "partner order",
    "dead letters",
    "alarms",
)


def test_the_smoke_checks_pass_against_the_local_stack(devstack: RunningStack) -> None:
    # The stack file alone locates everything: no AWS_* or FOYER_* variables of this process.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FOYER_"))}
    completed = subprocess.run(
        [sys.executable, "-m", "devtools.cli.smoke", "--stack-file", str(devstack.stack_file)],
        cwd=ROOT,
        env={**env, "COLUMNS": "300"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = completed.stdout + completed.stderr
    # "PASS health web: GET ... -> 200 ..." => {"health web": "PASS health web: ..."}
    reported = {
        line.split(":", 1)[0].split(" ", 1)[1]: line
        for line in report.splitlines()
        if line.startswith(("PASS ", "FAIL "))
    }
    assert set(reported) == set(CHECKS), report
    assert [line for line in reported.values() if line.startswith("FAIL ")] == [], report
    assert completed.returncode == 0, report
