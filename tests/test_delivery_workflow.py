"""The delivery workflow (.github/workflows/delivery.yml): what actionlint (`make lint`) cannot judge.

Every action is pinned by commit SHA; every plan runs with the account guard on; pull requests run
`make lint` and `make test`; and prod applies exactly the plan its reviewers saw: the approved job
downloads the plan file the plan job uploaded and applies it, without planning again.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOW = Path(__file__).resolve().parents[1] / ".github" / "workflows" / "delivery.yml"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
TAG_COMMENT = re.compile(r"uses:\s*\S+@[0-9a-f]{40}\s+#\s*v\d+(\.\d+)*\s*$")


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text())
    return loaded


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = job["steps"]
    return found


def runs(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in steps(job))


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # PyYAML reads the key `on` as the boolean True (YAML 1.1).
    found: dict[str, Any] = workflow.get("on", workflow.get(True))
    return found


def test_every_action_is_pinned_by_commit_sha_with_its_tag_beside_it(workflow: dict[str, Any]) -> None:
    uses = [step["uses"] for job in workflow["jobs"].values() for step in steps(job) if "uses" in step]
    assert uses, "the workflow uses no action"
    assert [ref for ref in uses if not PINNED.match(ref)] == []
    lines = [line for line in WORKFLOW.read_text().splitlines() if re.search(r"^\s*-?\s*uses:", line)]
    assert [line.strip() for line in lines if not TAG_COMMENT.search(line)] == []


def test_pull_requests_run_lint_and_the_tests(workflow: dict[str, Any]) -> None:
    assert "pull_request" in triggers(workflow)
    checks = workflow["jobs"]["checks"]
    assert "if" not in checks, "the checks job must run on every event, pull requests included"
    commands = [step.get("run", "").strip() for step in steps(checks)]
    assert {"make lint", "make test"} <= set(commands), commands


def test_every_plan_has_the_account_guard_on(workflow: dict[str, Any]) -> None:
    plans = [
        line
        for job in workflow["jobs"].values()
        for line in runs(job).splitlines()
        if line.strip().startswith("terraform plan")
    ]
    assert len(plans) >= 3, plans  # pull requests, dev and staging, prod
    assert [p for p in plans if "account_id=${{ vars.AWS_ACCOUNT_ID }}" not in p] == []


def test_prod_applies_exactly_the_uploaded_plan_after_approval(workflow: dict[str, Any]) -> None:
    jobs = workflow["jobs"]
    applying = [name for name, job in jobs.items() if "terraform apply" in runs(job)]
    (prod,) = [name for name in applying if "prod" in str(jobs[name].get("environment"))]
    apply_prod, planner_name = jobs[prod], jobs[prod]["needs"]
    assert apply_prod["environment"] == "prod"  # the protected environment: required reviewers
    planner = jobs[planner_name if isinstance(planner_name, str) else planner_name[0]]
    (upload,) = [s for s in steps(planner) if s.get("uses", "").startswith("actions/upload-artifact@")]
    (download,) = [s for s in steps(apply_prod) if s.get("uses", "").startswith("actions/download-artifact@")]
    assert download["with"]["name"] == upload["with"]["name"]
    uploaded = upload["with"]["path"].split()
    assert "terraform/environments/prod/tfplan" in uploaded
    assert "dist/*.zip" in uploaded  # the zips the plan hashed: a rebuild could differ
    assert "-out=tfplan" in runs(planner)
    # The approved job plans nothing of its own: it applies the downloaded file.
    assert "terraform plan" not in runs(apply_prod)
    applies = [line.strip() for line in runs(apply_prod).splitlines() if "terraform apply" in line]
    assert applies == ["terraform apply -no-color tfplan"]
    order = [s.get("uses", "").split("@")[0] or s.get("name", "") for s in steps(apply_prod)]
    assert order.index("actions/download-artifact") < order.index("terraform apply (the approved plan)")


def test_only_main_deploys(workflow: dict[str, Any]) -> None:
    jobs = workflow["jobs"]
    assert "refs/heads/main" in jobs["deploy"]["if"]
    assert jobs["plan-prod"]["needs"] == "deploy"
    assert jobs["deploy"]["needs"] == "checks"
