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

from foyer.devstack.stack import ROOT, LocalStack

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
}
CALL = re.compile(r"\btable\.([a-z_]+)\(")


def actions_used(service: Path) -> set[str]:
    calls = {m for path in service.glob("*.py") for m in CALL.findall(path.read_text())}
    unknown = calls - ACTIONS.keys()
    assert not unknown, f"add the IAM action of foyer.dynamodb.Table.{unknown} to ACTIONS"
    return {ACTIONS[c] for c in calls}


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


@pytest.mark.parametrize("app", ["catalog", "inventory"])
def test_role_grants_exactly_what_the_code_calls(stack: LocalStack, app: str) -> None:
    used = actions_used(ROOT / "services" / app)
    assert used, f"no table calls found in services/{app}: is the pattern still right?"
    assert granted(stack, app) == used
