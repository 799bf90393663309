"""Each Lambda role grants exactly the DynamoDB actions its service's code calls: no more, no fewer.

The emulator does not enforce IAM, so a missing action would only show in AWS as AccessDenied;
this test reads the code's calls on its table and the policy Terraform applied.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import boto3
import pytest

from devtools.devstack.stack import ROOT, LocalStack

pytestmark = pytest.mark.integration

# foyer.dynamodb.Table method -> the IAM action it needs (TransactWriteItems is authorized per item).
ACTIONS = {
    "get": "dynamodb:GetItem",
    "batch_get": "dynamodb:BatchGetItem",
    "put": "dynamodb:PutItem",
    "update": "dynamodb:UpdateItem",
    "query": "dynamodb:Query",
    "scan": "dynamodb:Scan",
    "put_op": "dynamodb:PutItem",
    "update_op": "dynamodb:UpdateItem",
    "check_op": "dynamodb:ConditionCheckItem",
    "delete": "dynamodb:DeleteItem",
}
CALL = re.compile(r"\btable\.([a-z_]+)\(")
# The platform's records in a service's own table, and what a service using them calls through them
# (foyer/events/outbox.py: only put_op in the service, the relay function drains and deletes).
PLATFORM = {
    "Outbox(": {"dynamodb:PutItem"},
    "ProcessedEvents(": {"dynamodb:GetItem", "dynamodb:PutItem"},
    "IdempotencyStore(": {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    },
}


def actions_used(service: Path) -> set[str]:
    sources = [path.read_text() for path in service.glob("*.py")]
    calls = {m for text in sources for m in CALL.findall(text)}
    unknown = calls - ACTIONS.keys()
    assert not unknown, f"add the IAM action of foyer.dynamodb.Table.{unknown} to ACTIONS"
    through_platform = {
        a for use, actions in PLATFORM.items() if any(use in t for t in sources) for a in actions
    }
    return {ACTIONS[c] for c in calls} | through_platform


def granted(stack: LocalStack, app: str) -> set[str]:
    iam = boto3.client("iam", endpoint_url=stack.endpoint, region_name=stack.region)
    role = stack.functions[app].function_name
    document = iam.get_role_policy(RoleName=role, PolicyName=f"{role}-runtime")["PolicyDocument"]
    policy: dict[str, Any] = json.loads(document) if isinstance(document, str) else document
    actions: set[str] = set()
    for statement in policy["Statement"]:
        listed = statement["Action"]
        actions |= {a for a in ([listed] if isinstance(listed, str) else listed) if a.startswith("dynamodb:")}
    return actions


@pytest.mark.parametrize(
    "app",
    [
        "services/catalog",
        "services/inventory",
        "services/orders",
        "services/payments",
        "services/notifications",
        "bff/partner",
    ],
)
def test_role_grants_exactly_what_the_code_calls(stack: LocalStack, app: str) -> None:
    used = actions_used(ROOT / app)
    assert used, f"no table calls found in {app}: is the pattern still right?"
    assert granted(stack, app.rpartition("/")[2]) == used


@pytest.mark.parametrize("app", ["web", "mobile"])
def test_a_bff_without_a_table_is_granted_no_dynamodb_action(stack: LocalStack, app: str) -> None:
    assert actions_used(ROOT / "bff" / app) == set()
    assert granted(stack, app) == set()
