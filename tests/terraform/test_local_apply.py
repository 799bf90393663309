"""`terraform apply` of environments/local against the AWS emulator: outputs, real tables, idempotence."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import boto3
import pytest
from cloud_roots import api_key_material
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Route

from bff.partner.rate_limits import Plan, Quota
from bff.partner.settings import PartnerSettings
from devtools.devstack.emulator import Emulator
from devtools.devstack.stack import LocalStack, identity_variables, local_variables
from devtools.devstack.terraform import Terraform
from foyer.identity.dependencies import current_partner, current_user

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


def routes_needing_no_identity(app: FastAPI) -> set[str]:
    """ "<METHOD> <path>" of every route the BFF's OpenAPI documents without a 401 or 403, and of the
    pages FastAPI serves outside it (/openapi.json, /docs, ...)."""
    public = {
        f"{method.upper()} {path}"
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
        if not {"401", "403"} & set(operation["responses"])
    }
    pages = {
        f"GET {route.path}"
        for route in app.routes
        if isinstance(route, Route) and not route.include_in_schema and "GET" in (route.methods or ())
    }
    return public | pages


CALLER_DEPENDENCIES = {current_user, current_partner}


def api_routes(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every API route, those of included routers too."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif (context := getattr(route, "include_context", None)) is not None:
            yield from api_routes(context.included_router.routes, prefix + context.prefix)


def dependency_calls(dependant: Dependant) -> set[Any]:
    """Every callable a route depends on, however deep."""
    return {call for d in dependant.dependencies for call in {d.call} | dependency_calls(d)}


def routes_asking_who_calls(app: FastAPI) -> set[str]:
    """ "<METHOD> <path>" of every route whose dependencies name the caller (a user or a partner)."""
    return {
        f"{method} {path}"
        for path, route in api_routes(app.routes)
        if CALLER_DEPENDENCIES & dependency_calls(route.dependant)
        for method in route.methods
    }


def methods_in_emulator(emulator: Emulator, api_id: str) -> dict[str, dict[str, Any]]:
    """ "<METHOD> <path>" => the method as the emulator holds it, for every resource of the REST API."""
    pages = (
        client(emulator, "apigateway")
        .get_paginator("get_resources")
        .paginate(restApiId=api_id, embed=["methods"])
    )
    return {
        f"{verb} {resource['path']}": method
        for page in pages
        for resource in page["items"]
        for verb, method in resource.get("resourceMethods", {}).items()
    }


@pytest.mark.parametrize("bff", BFFS)
def test_the_gateway_opens_exactly_the_routes_the_bff_serves_to_anyone(
    emulator: Emulator, applied: tuple[Terraform, dict[str, Any]], bff: str
) -> None:
    app = importlib.import_module(f"bff.{bff}.app").app
    public = routes_needing_no_identity(app)
    # The OpenAPI's 401/403 are what the routes' dependencies make them: the document cannot lie.
    assert not public & routes_asking_who_calls(app), public & routes_asking_who_calls(app)
    methods = methods_in_emulator(emulator, applied[0].output()["apis"][bff]["id"])
    opened = {
        key
        for key, method in methods.items()
        if (method["authorizationType"], method["apiKeyRequired"]) == ("NONE", False)
        and not key.startswith("OPTIONS ")
    }
    assert opened == public
    guarded = {key for key, method in methods.items() if key.startswith("ANY ")}
    assert {"ANY /", "ANY /{proxy+}"} <= guarded
    guard = ("CUSTOM", False) if bff != "partner" else ("NONE", True)
    assert {(methods[key]["authorizationType"], methods[key]["apiKeyRequired"]) for key in guarded} == {guard}


@pytest.mark.parametrize("bff", BFFS)
def test_a_preflight_needs_no_token_where_browsers_call(
    emulator: Emulator, applied: tuple[Terraform, dict[str, Any]], bff: str
) -> None:
    methods = methods_in_emulator(emulator, applied[0].output()["apis"][bff]["id"])
    resources = {key.partition(" ")[2] for key in methods}
    preflights = {key.partition(" ")[2] for key, method in methods.items() if key.startswith("OPTIONS ")}
    assert preflights == (resources if bff == "web" else set())
    assert all(methods[f"OPTIONS {path}"]["authorizationType"] == "NONE" for path in preflights)


@pytest.mark.parametrize("bff", BFFS)
def test_every_gateway_answer_is_a_problem_naming_the_request(
    emulator: Emulator, applied: tuple[Terraform, dict[str, Any]], bff: str
) -> None:
    api_id = applied[0].output()["apis"][bff]["id"]
    responses = client(emulator, "apigateway").get_gateway_responses(restApiId=api_id)["items"]
    assert {"DEFAULT_4XX", "DEFAULT_5XX", "WAF_FILTERED", "INTEGRATION_TIMEOUT", "UNAUTHORIZED"} <= {
        r["responseType"] for r in responses
    }
    for response in responses:
        headers = response["responseParameters"]
        assert headers["gatewayresponse.header.Content-Type"] == "'application/problem+json'"
        assert '"correlation_id":"$context.requestId"' in response["responseTemplates"]["application/json"]
        origin = headers.get("gatewayresponse.header.Access-Control-Allow-Origin")
        assert origin == ("'http://localhost:3000'" if bff == "web" else None), response["responseType"]


def test_the_web_bff_is_told_its_origins(
    emulator: Emulator, applied: tuple[Terraform, dict[str, Any]]
) -> None:
    config = client(emulator, "lambda").get_function(FunctionName="foyer-local-web")["Configuration"]
    assert config["Environment"]["Variables"]["CORS_ORIGINS"] == "http://localhost:3000"


def test_the_partner_bff_is_told_the_plans_it_advertises(
    emulator: Emulator, applied: tuple[Terraform, dict[str, Any]]
) -> None:
    config = client(emulator, "lambda").get_function(FunctionName="foyer-local-partner")["Configuration"]
    plans = PartnerSettings(table_name="t", plans=config["Environment"]["Variables"]["PARTNER_PLANS"]).plans
    assert plans["gold"] == Plan(rate=20, burst=40, quota=Quota(limit=100_000, period="MONTH"))
    assert set(plans) == {"bronze", "gold"}


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
