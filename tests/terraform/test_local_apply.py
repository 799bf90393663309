"""`terraform apply` of environments/local against the AWS emulator: outputs, real tables, idempotence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from cloud_roots import api_key_material

from foyer.devstack.emulator import Emulator
from foyer.devstack.stack import LocalStack, identity_variables, local_variables
from foyer.devstack.terraform import Terraform

SERVICES = ("catalog", "inventory", "notifications", "orders", "payments")
BFFS = ("mobile", "partner", "web")
APPS = SERVICES + BFFS
TABLES = (*SERVICES, "partner")  # web and mobile own no table

pytestmark = [pytest.mark.terraform, pytest.mark.integration]


@pytest.fixture(scope="module")
def applied(stack: LocalStack, local_terraform_runner: Terraform) -> tuple[Terraform, dict[str, Any]]:
    """The session's apply of environments/local (tests/conftest.py), with the real zips."""
    return local_terraform_runner, local_variables(stack.endpoint, **identity_variables(stack.identity))


def client(emulator: Emulator, service: str) -> Any:
    return boto3.client(  # type: ignore[call-overload]  # the service name is a runtime string
        service,
        endpoint_url=emulator.endpoint,
        region_name="eu-west-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def test_outputs_shape(applied: tuple[Terraform, dict[str, Any]]) -> None:
    outputs = applied[0].output()
    assert outputs["region"] == "eu-west-1"
    assert outputs["tables"] == {name: f"foyer-local-{name}" for name in TABLES}
    assert set(outputs["functions"]) == set(APPS)
    assert outputs["ports"] == {
        "catalog": 8101, "inventory": 8102, "orders": 8103, "payments": 8104, "notifications": 8105,
        "web": 8001, "mobile": 8002, "partner": 8003,
    }  # fmt: skip
    assert outputs["event_bus"] == "foyer-local-events"
    assert outputs["outboxes"] == [f"foyer-local-{name}" for name in ("inventory", "orders", "payments")]
    assert outputs["schedules"] == {
        "orders-reconciler": {
            "function_name": "foyer-local-orders-reconciler",
            "expression": "rate(5 minutes)",
            "local_interval_s": 5,
        }
    }
    for name, function in outputs["functions"].items():
        assert set(function) == {"function_name", "handler", "arn"}
        kind = "bff" if name in BFFS else "services"
        assert function["handler"] == f"{kind}.{name}.handler.handler"
        assert function["arn"].endswith(f":function:{function['function_name']}")


def test_tables_exist_in_the_emulator(emulator: Emulator, applied: tuple[Terraform, dict[str, Any]]) -> None:
    dynamodb = client(emulator, "dynamodb")
    catalog = dynamodb.describe_table(TableName="foyer-local-catalog")["Table"]
    assert catalog["KeySchema"] == [{"AttributeName": "sku", "KeyType": "HASH"}]
    (index,) = catalog["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "by-category"
    assert index["KeySchema"] == [
        {"AttributeName": "category", "KeyType": "HASH"},
        {"AttributeName": "sku", "KeyType": "RANGE"},
    ]
    assert index["Projection"]["ProjectionType"] == "ALL"
    inventory = dynamodb.describe_table(TableName="foyer-local-inventory")["Table"]
    assert inventory["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert catalog["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_functions_are_configured(emulator: Emulator, applied: tuple[Terraform, dict[str, Any]]) -> None:
    config = client(emulator, "lambda").get_function(FunctionName="foyer-local-inventory")["Configuration"]
    assert config["Runtime"] == "python3.12"
    assert config["Architectures"] == ["arm64"]
    assert config["TracingConfig"] == {"Mode": "Active"}
    assert config["Environment"]["Variables"] == {
        "TABLE_NAME": "foyer-local-inventory",
        "FOYER_ENV": "local",
        "FOYER_SERVICE": "inventory",
    }


def test_roles_reach_only_their_own_table(
    emulator: Emulator, applied: tuple[Terraform, dict[str, Any]]
) -> None:
    iam = client(emulator, "iam")
    for app in APPS:
        document = iam.get_role_policy(RoleName=f"foyer-local-{app}", PolicyName=f"foyer-local-{app}-runtime")
        policy = document["PolicyDocument"]
        statements = json.loads(policy) if isinstance(policy, str) else policy
        dynamo = [
            s for s in statements["Statement"] if any(a.startswith("dynamodb:") for a in _list(s["Action"]))
        ]
        resources = {r for s in dynamo for r in _list(s["Resource"])}
        own = {
            f"arn:aws:dynamodb:eu-west-1:123456789012:table/foyer-local-{app}",
            f"arn:aws:dynamodb:eu-west-1:123456789012:table/foyer-local-{app}/index/*",
        }
        assert resources == (own if app in TABLES else set()), app
        logs = next(s for s in statements["Statement"] if s["Sid"] == "OwnLogStreams")
        assert _list(logs["Resource"]) == [
            f"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/foyer-local-{app}:*"
        ]


def test_second_apply_changes_nothing(applied: tuple[Terraform, dict[str, Any]]) -> None:
    terraform, variables = applied
    again = terraform.apply(variables)
    assert again.no_changes, "\n".join(again.lines)
    assert (again.added, again.changed, again.destroyed) == (0, 0, 0)


def test_no_partner_api_key_enters_the_local_plan_or_state(
    stack: LocalStack, applied: tuple[Terraform, dict[str, Any]], stack_state_dir: Path
) -> None:
    terraform, variables = applied
    assert api_key_material(terraform.plan_json(variables)) == []
    state = (stack_state_dir / "terraform.tfstate").read_text()
    assert api_key_material(json.loads(state)) == []
    assert stack.demo is not None
    assert stack.demo.partner_api_key  # issued by the stack, beside Terraform: its value is not in the state
    assert stack.demo.partner_api_key not in state


def _list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value
