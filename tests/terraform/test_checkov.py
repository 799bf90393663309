"""IaC policy checks: checkov over every Terraform module and root, offline.

checkov lives in its own virtual environment (.tools/checkov, made by `make test`): it pulls a fork of
python-hcl2 that breaks other packages. It exits 0 on files it could not parse, so the verdict comes
from its JSON summary, never from its exit code alone. A check that does not fit is skipped inline,
on the resource, with `#checkov:skip=CKV_...:<reason>`; a skip without a reason fails this test.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CHECKOV = REPO / ".tools" / "checkov" / "bin" / "checkov"
TIMEOUT_SECONDS = 240

COMMAND = [
    str(CHECKOV),
    "--directory",
    "terraform",
    "--framework",
    "terraform",
    "--output",
    "json",
    "--compact",  # no code blocks; not --quiet, which drops the skipped checks from the report
    # No network: local modules only, nothing fetched from or sent to Prisma Cloud / Bridgecrew.
    "--download-external-modules",
    "false",
    "--skip-download",
    "--skip-results-upload",
]
OFFLINE_ENV = {
    # Without these checkov fetches guideline mappings from api0.prismacloud.io at start-up.
    "BC_SKIP_MAPPING": "TRUE",
    "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
    "DOWNLOAD_EXTERNAL_MODULES": "false",
}

pytestmark = pytest.mark.terraform


def execute(extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    if not os.access(CHECKOV, os.X_OK):
        pytest.fail(
            f"checkov is not installed at {CHECKOV}: `make test` installs it "
            "(or run `make .tools/checkov/bin/checkov`)"
        )
    try:
        return subprocess.run(
            COMMAND,
            cwd=REPO,
            env={**os.environ, **OFFLINE_ENV, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"checkov did not finish within {TIMEOUT_SECONDS} s (is it trying to reach the network?)")


def unparsable_files() -> list[str]:
    """The JSON report only counts parsing errors; checkov's debug log names the files."""
    log = execute({"LOG_LEVEL": "DEBUG"}).stderr
    marker = "failed while parsing file "
    return sorted({line.split(marker, 1)[1].strip() for line in log.splitlines() if marker in line})


def run_checkov() -> dict[str, Any]:
    """The terraform report of one checkov run; fails (never skips) when checkov is missing or broken."""
    completed = execute()
    # 0: no failed checks, 1: failed checks; anything else is a crash.
    if completed.returncode not in (0, 1):
        pytest.fail(f"checkov exited {completed.returncode}:\n{completed.stderr[-4000:]}")
    try:
        output: Any = json.loads(completed.stdout)
    except json.JSONDecodeError:
        pytest.fail(
            f"checkov printed no JSON report:\nstdout: {completed.stdout[-2000:]}\n"
            f"stderr: {completed.stderr[-2000:]}"
        )
    reports = output if isinstance(output, list) else [output]
    terraform = [r for r in reports if isinstance(r, dict) and r.get("check_type") == "terraform"]
    if len(terraform) != 1:
        pytest.fail(f"expected one terraform report from checkov, got: {completed.stdout[:2000]}")
    report: dict[str, Any] = terraform[0]
    return report


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return run_checkov()


def describe(checks: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"  {c['check_id']} {c['resource']} ({c['file_path']}:{c['file_line_range'][0]}): {c['check_name']}"
        for c in checks
    )


def test_every_file_parses_and_resources_are_scanned(report: dict[str, Any]) -> None:
    summary = report["summary"]
    if summary["parsing_errors"]:
        pytest.fail(f"checkov could not parse {summary['parsing_errors']} file(s): {unparsable_files()}")
    assert summary["resource_count"] > 0, f"checkov scanned no resources under terraform/: {summary}"


def test_no_failed_checks(report: dict[str, Any]) -> None:
    failed: list[dict[str, Any]] = report["results"].get("failed_checks", [])
    assert not failed, (
        f"{len(failed)} checkov check(s) failed; fix the HCL, or skip inline on the resource with "
        f"`#checkov:skip=<id>:<reason>` when the check does not fit:\n{describe(failed)}"
    )
    assert report["summary"]["failed"] == 0, report["summary"]


def test_every_skip_has_a_reason(report: dict[str, Any]) -> None:
    skipped: list[dict[str, Any]] = report["results"].get("skipped_checks", [])
    unexplained = [
        c
        for c in skipped
        if not (reason := (c.get("check_result") or {}).get("suppress_comment") or "").strip()
        or reason == "No comment provided"
    ]
    assert not unexplained, f"skipped without a reason:\n{describe(unexplained)}"


# Checks that pass as soon as a key argument is set, even to a variable whose default is null: every
# root leaves those variables null, so in a module they must be skipped with the reason, never passed.
CUSTOMER_KEY_CHECKS = {"CKV_AWS_158", "CKV_AWS_119"}


def test_no_customer_key_check_passes_on_a_null_key(report: dict[str, Any]) -> None:
    passed: list[dict[str, Any]] = report["results"].get("passed_checks", [])
    hollow = [c for c in passed if c["check_id"] in CUSTOMER_KEY_CHECKS and "/modules/" in c["file_path"]]
    assert not hollow, f"passed only because a key variable defaults to null:\n{describe(hollow)}"


def test_the_function_dlq_skip_names_where_asynchronous_failures_go(report: dict[str, Any]) -> None:
    """CKV_AWS_116 is skipped for every function: true only while asynchronously invoked ones have an
    on-failure destination, which the skip's reason must name."""
    skipped: list[dict[str, Any]] = report["results"].get("skipped_checks", [])
    reasons = {c["check_result"]["suppress_comment"] for c in skipped if c["check_id"] == "CKV_AWS_116"}
    assert reasons, "CKV_AWS_116 is neither skipped nor passed: is lambda_app still scanned?"
    for reason in reasons:
        assert "aws_lambda_function_event_invoke_config" in reason, reason
        assert "on-failure destination" in reason, reason
