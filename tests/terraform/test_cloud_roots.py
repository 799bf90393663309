"""`terraform plan` of every cloud root (environments/dev, staging, prod) against the AWS emulator, and
what each one chooses: prod guards its data, keeps its logs a year and limits clients hardest.

The roots keep an S3 backend; the copies planned here keep their state locally (cloud_roots.py), and
the provider reaches the emulator only (AWS_ENDPOINT_URL, dummy credentials, a dead proxy otherwise).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cloud_roots import (
    CLOUD_ENVIRONMENTS,
    api_key_material,
    copy_terraform,
    emulator_only_env,
    set_api_gateway_logging,
)

from devtools.devstack.emulator import Emulator
from devtools.devstack.stack import DIST
from devtools.devstack.terraform import Terraform, TerraformError

pytestmark = [pytest.mark.terraform, pytest.mark.integration]


@pytest.fixture(scope="module")
def plans(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Each cloud root's plan against the session's emulator, as `terraform show -json` prints it."""
    if not any(DIST.glob("*.zip")):
        pytest.fail("dist/ has no Lambda zips: run the suite with `make test` (it packages first)")
    terraform = copy_terraform(tmp_path_factory.mktemp("cloud-roots") / "terraform")
    set_api_gateway_logging(emulator.endpoint)  # the account as environments/bootstrap leaves it
    planned = {}
    for environment in CLOUD_ENVIRONMENTS:
        work = tmp_path_factory.mktemp(f"plan-{environment}")
        runner = Terraform(
            terraform / "environments" / environment, work / "data", env=emulator_only_env(emulator.endpoint)
        )
        runner.init(backend_path=work / "terraform.tfstate")
        planned[environment] = runner.plan_json({"artifacts_dir": str(DIST)})
    return planned


def planned(plan: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    """The `after` values of every planned resource of one type."""
    return [
        change["change"]["after"] for change in plan["resource_changes"] if change["type"] == resource_type
    ]


@pytest.mark.parametrize("environment", CLOUD_ENVIRONMENTS)
def test_every_cloud_root_plans_only_creations(plans: dict[str, dict[str, Any]], environment: str) -> None:
    actions = {tuple(change["change"]["actions"]) for change in plans[environment]["resource_changes"]}
    # "read": data sources that wait for a created resource's ARN (policy documents).
    assert actions <= {("create",), ("read",)}, actions
    assert planned(plans[environment], "aws_lambda_function"), "a plan without functions planned nothing"


@pytest.mark.parametrize("environment", CLOUD_ENVIRONMENTS)
def test_functions_get_the_memory_make_cost_chose(plans: dict[str, Any], environment: str) -> None:
    functions = planned(plans[environment], "aws_lambda_function")
    memory = {f["function_name"]: f["memory_size"] for f in functions}
    assert set(memory.values()) == {768}, memory


def test_prod_guards_every_table(plans: dict[str, dict[str, Any]]) -> None:
    tables = planned(plans["prod"], "aws_dynamodb_table")
    assert tables
    for table in tables:
        assert table["deletion_protection_enabled"] is True, table["name"]
        assert table["point_in_time_recovery"] == [{"enabled": True}], table["name"]


def test_dev_tables_can_be_torn_down(plans: dict[str, dict[str, Any]]) -> None:
    assert {t["deletion_protection_enabled"] for t in planned(plans["dev"], "aws_dynamodb_table")} == {False}


def test_prod_keeps_its_logs_longest(plans: dict[str, dict[str, Any]]) -> None:
    retention = {
        env: {g["retention_in_days"] for g in planned(plans[env], "aws_cloudwatch_log_group")}
        for env in CLOUD_ENVIRONMENTS
    }
    assert retention["prod"] == {365}, retention
    assert max(retention["dev"]) < min(retention["prod"]), retention


def planned_in(plan: dict[str, Any], resource_type: str, module: str) -> list[dict[str, Any]]:
    """The `after` values of every planned resource of one type whose address is inside `module`."""
    return [
        change["change"]["after"]
        for change in plan["resource_changes"]
        if change["type"] == resource_type and f"{module}." in change["address"]
    ]


def web_acl(plan: dict[str, Any], api: str) -> dict[str, Any]:
    """The web ACL in front of one API's stage."""
    (acl,) = planned_in(plan, "aws_wafv2_web_acl", f'module.waf["{api}"]')
    return acl


def rate_rules(acl: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Rule name => the rule, for the rate-based rules of a web ACL."""
    return {rule["name"]: rule for rule in acl["rule"] if rule["statement"][0]["rate_based_statement"]}


def rate_limit(plan: dict[str, Any]) -> int:
    statement = rate_rules(web_acl(plan, "web"))["RatePerIp"]["statement"][0]["rate_based_statement"][0]
    return int(statement["limit"])


def test_waf_limits_tighten_towards_prod(plans: dict[str, dict[str, Any]]) -> None:
    limits = [rate_limit(plans[env]) for env in CLOUD_ENVIRONMENTS]
    assert limits == sorted(limits, reverse=True), limits
    assert limits[0] > limits[-1], limits


@pytest.mark.parametrize("environment", CLOUD_ENVIRONMENTS)
def test_each_api_has_its_own_web_acl(plans: dict[str, Any], environment: str) -> None:
    names = {acl["name"] for acl in planned(plans[environment], "aws_wafv2_web_acl")}
    assert names == {f"foyer-{environment}-{api}" for api in ("web", "mobile", "partner")}


@pytest.mark.parametrize("environment", CLOUD_ENVIRONMENTS)
def test_partners_are_rate_limited_per_key_above_the_top_tier(
    plans: dict[str, Any], environment: str
) -> None:
    statement = rate_rules(web_acl(plans[environment], "partner"))["RatePerApiKey"]["statement"][0]
    per_key = statement["rate_based_statement"][0]
    assert per_key["aggregate_key_type"] == "CUSTOM_KEYS"
    assert [key["header"][0]["name"] for key in per_key["custom_key"]] == ["x-api-key"]
    tiers = [
        plan["throttle_settings"][0]["rate_limit"]
        for plan in planned(plans[environment], "aws_api_gateway_usage_plan")
    ]
    assert per_key["limit"] / per_key["evaluation_window_sec"] > max(tiers), (per_key, tiers)


@pytest.mark.parametrize("environment", CLOUD_ENVIRONMENTS)
def test_a_waf_rate_block_is_a_429_problem_with_retry_after(plans: dict[str, Any], environment: str) -> None:
    for acl in planned(plans[environment], "aws_wafv2_web_acl"):
        bodies = {body["key"]: body for body in acl["custom_response_body"]}
        for name, rule in rate_rules(acl).items():
            (response,) = rule["action"][0]["block"][0]["custom_response"]
            assert response["response_code"] == 429, (acl["name"], name)
            assert "Retry-After" in {header["name"] for header in response["response_header"]}
            body = bodies[response["custom_response_body_key"]]
            assert json.loads(body["content"])["status"] == 429


def test_prod_invokes_the_alias_its_provisioned_concurrency_sits_on(plans: dict[str, dict[str, Any]]) -> None:
    provisioned = {
        config["function_name"]: config["qualifier"]
        for config in planned(plans["prod"], "aws_lambda_provisioned_concurrency_config")
    }
    invoked = {
        permission["function_name"]: permission["qualifier"]
        for permission in planned(plans["prod"], "aws_lambda_permission")
        if permission["statement_id"].startswith("AllowApiGateway-")
    }
    assert provisioned == {f"foyer-prod-{bff}": "live" for bff in ("web", "mobile", "partner")}
    assert invoked == provisioned


@pytest.mark.parametrize("environment", CLOUD_ENVIRONMENTS)
def test_every_stage_is_throttled_and_the_public_pages_per_method(
    plans: dict[str, Any], environment: str
) -> None:
    for api in ("web", "mobile", "partner"):
        settings = planned_in(plans[environment], "aws_api_gateway_method_settings", f'module.api["{api}"]')
        paths = {setting["method_path"]: setting["settings"][0] for setting in settings}
        assert "*/*" in paths, api
        assert all(limits["throttling_rate_limit"] > 0 for limits in paths.values())
    web = planned_in(plans[environment], "aws_api_gateway_method_settings", 'module.api["web"]')
    assert "~1home/GET" in {setting["method_path"] for setting in web}


@pytest.mark.parametrize("environment", CLOUD_ENVIRONMENTS)
def test_browsers_on_the_roots_origin_are_admitted(plans: dict[str, Any], environment: str) -> None:
    # The web function's environment is unknown until its callees' URLs are: its CORS_ORIGINS is
    # checked in the platform module's tests and read back from the local apply.
    (origin, *_) = plans[environment]["variables"]["cors_origins"]["value"]
    responses = planned_in(plans[environment], "aws_api_gateway_gateway_response", 'module.api["web"]')
    assert responses
    allowed = {
        r["response_parameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] for r in responses
    }
    assert allowed == {f"'{origin}'"}
    for api in ("mobile", "partner"):
        others = planned_in(plans[environment], "aws_api_gateway_gateway_response", f'module.api["{api}"]')
        assert not any(
            "gatewayresponse.header.Access-Control-Allow-Origin" in r["response_parameters"] for r in others
        )


@pytest.mark.parametrize("environment", CLOUD_ENVIRONMENTS)
def test_every_service_answers_signed_callers_only(plans: dict[str, Any], environment: str) -> None:
    urls = planned(plans[environment], "aws_lambda_function_url")
    services = ("catalog", "inventory", "notifications", "orders", "payments")
    assert {u["function_name"] for u in urls} == {f"foyer-{environment}-{name}" for name in services}
    assert {u["authorization_type"] for u in urls} == {"AWS_IAM"}


@pytest.mark.parametrize("environment", CLOUD_ENVIRONMENTS)
def test_no_role_policy_allows_every_action(plans: dict[str, dict[str, Any]], environment: str) -> None:
    for policy in planned(plans[environment], "aws_iam_role_policy"):
        document = policy.get("policy")
        if document is None:  # known after apply (built from ARNs): the module tests cover those
            continue
        for statement in json.loads(document)["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert all(action != "*" and not action.endswith(":*") for action in actions), policy["name"]


def test_root_refuses_a_bad_value(emulator: Emulator, tmp_path: Path) -> None:
    """A bad value chosen in a root is refused at plan time with a message naming it."""
    terraform = copy_terraform(tmp_path / "terraform")
    main = terraform / "environments" / "staging" / "main.tf"
    chosen = "log_retention_days             = 30"
    assert chosen in main.read_text()
    main.write_text(main.read_text().replace(chosen, "log_retention_days             = 10", 1))
    set_api_gateway_logging(emulator.endpoint)
    runner = Terraform(main.parent, tmp_path / "data", env=emulator_only_env(emulator.endpoint))
    runner.init(backend_path=tmp_path / "terraform.tfstate")
    with pytest.raises(TerraformError) as refused:
        runner.plan_has_changes({"artifacts_dir": str(DIST)})
    assert "got 10" in " ".join(refused.value.stderr.split())


@pytest.mark.parametrize("environment", CLOUD_ENVIRONMENTS)
def test_no_partner_api_key_enters_a_cloud_roots_plan(plans: dict[str, Any], environment: str) -> None:
    # Keys are issued by devtools.cli.partner_keys; Terraform holds the usage plans they go under.
    assert api_key_material(plans[environment]) == []
    assert planned(plans[environment], "aws_api_gateway_usage_plan")


def reconciler_environment(plan: dict[str, Any], environment: str) -> dict[str, str]:
    (function,) = [
        f
        for f in planned(plan, "aws_lambda_function")
        if f["function_name"] == f"foyer-{environment}-orders-reconciler"
    ]
    variables: dict[str, str] = function["environment"][0]["variables"]
    return variables


def test_prod_reconciler_runs_on_prods_own_deadlines(plans: dict[str, dict[str, Any]]) -> None:
    variables = reconciler_environment(plans["prod"], "prod")
    assert (variables["ORDER_RESEND_AFTER_S"], variables["ORDER_EXPIRE_AFTER_S"]) == ("300", "3600")
    # Expiry past payments' retries of an unanswered charge (5 deliveries x 180 s) in every root.
    for environment in CLOUD_ENVIRONMENTS:
        variables = reconciler_environment(plans[environment], environment)
        assert int(variables["ORDER_EXPIRE_AFTER_S"]) > 5 * 180, (environment, variables)


@pytest.mark.parametrize("environment", CLOUD_ENVIRONMENTS)
def test_relays_take_only_outbox_inserts_and_give_up_on_a_poison_record(
    plans: dict[str, dict[str, Any]], environment: str
) -> None:
    stream_mappings = [
        m
        for m in planned(plans[environment], "aws_lambda_event_source_mapping")
        if m.get("starting_position")
    ]
    assert len(stream_mappings) == 3, stream_mappings
    for mapping in stream_mappings:
        (criteria,) = mapping["filter_criteria"]
        assert [json.loads(f["pattern"]) for f in criteria["filter"]] == [
            {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"pk": {"S": [{"prefix": "outbox#"}]}}}}
        ]
        assert mapping["bisect_batch_on_function_error"] is True
        assert 0 < mapping["maximum_retry_attempts"] <= 10
        assert 0 < mapping["maximum_record_age_in_seconds"] <= 3600
        assert mapping["destination_config"][0]["on_failure"], mapping
    relay_queues = {
        q["name"]
        for q in planned(plans[environment], "aws_sqs_queue")
        if q["name"].endswith("-relay-failures")
    }
    assert relay_queues == {
        f"foyer-{environment}-{app}-relay-failures" for app in ("inventory", "orders", "payments")
    }
    alarms = {a["alarm_name"] for a in planned(plans[environment], "aws_cloudwatch_metric_alarm")}
    assert {
        f"foyer-{environment}-{app}-relay-iterator-age" for app in ("inventory", "orders", "payments")
    } <= alarms


@pytest.mark.parametrize("environment", CLOUD_ENVIRONMENTS)
def test_a_failed_schedule_run_is_retried_then_recorded(
    plans: dict[str, dict[str, Any]], environment: str
) -> None:
    (target,) = [
        t
        for t in planned(plans[environment], "aws_cloudwatch_event_target")
        if t["rule"].endswith("-reconciler")
    ]
    assert target["retry_policy"][0]["maximum_retry_attempts"] > 0
    assert len(target["dead_letter_config"]) == 1
    (invoke_config,) = planned(plans[environment], "aws_lambda_function_event_invoke_config")
    assert invoke_config["function_name"] == f"foyer-{environment}-orders-reconciler"
    assert invoke_config["destination_config"][0]["on_failure"], invoke_config
    (queue,) = [
        q for q in planned(plans[environment], "aws_sqs_queue") if q["name"].endswith("-reconciler-failures")
    ]
    statement = json.loads(queue["policy"])["Statement"][0] if queue.get("policy") else None
    # The policy names the rule's ARN, known after apply; the module test checks its content.
    assert statement is None or statement["Principal"] == {"Service": "events.amazonaws.com"}


def test_prod_reserves_concurrency_for_the_event_flow(plans: dict[str, dict[str, Any]]) -> None:
    functions = {f["function_name"]: f for f in planned(plans["prod"], "aws_lambda_function")}
    event_functions = [
        name
        for name in functions
        if name.endswith(("-relay", "-saga", "-timeline", "-stock", "-charges", "-customers"))
    ]
    assert len(event_functions) == 8, event_functions
    assert {functions[name]["reserved_concurrent_executions"] for name in event_functions} == {5}
    queue_mappings = [
        m for m in planned(plans["prod"], "aws_lambda_event_source_mapping") if not m.get("starting_position")
    ]
    assert len(queue_mappings) == 5
    assert {m["scaling_config"][0]["maximum_concurrency"] for m in queue_mappings} == {5}
    # dev keeps an account at Lambda's default quota deployable: nothing reserved.
    assert {f["reserved_concurrent_executions"] for f in planned(plans["dev"], "aws_lambda_function")} == {-1}


@pytest.mark.parametrize("environment", CLOUD_ENVIRONMENTS)
def test_the_bus_keeps_an_archive_for_replay(plans: dict[str, dict[str, Any]], environment: str) -> None:
    (archive,) = planned(plans[environment], "aws_cloudwatch_event_archive")
    assert archive["name"] == f"foyer-{environment}-events"
    assert archive["retention_days"] > 0


@pytest.mark.parametrize("environment", CLOUD_ENVIRONMENTS)
def test_errors_alarm_on_their_rate_not_on_one(plans: dict[str, dict[str, Any]], environment: str) -> None:
    alarms = planned(plans[environment], "aws_cloudwatch_metric_alarm")
    assert not [a["alarm_name"] for a in alarms if a.get("metric_name") in ("Errors", "5XXError")]
    rates = {a["alarm_name"]: a for a in alarms if a["alarm_name"].endswith(("-error-rate", "-5xx-rate"))}
    assert f"foyer-{environment}-orders-reconciler-error-rate" in rates
    assert {f"foyer-{environment}-{api}-5xx-rate" for api in ("web", "mobile", "partner")} <= set(rates)
    for alarm in rates.values():
        metrics = {q["metric"][0]["metric_name"] for q in alarm["metric_query"] if q["metric"]}
        assert metrics in ({"Errors", "Invocations"}, {"5XXError", "Count"}), alarm["alarm_name"]


@pytest.mark.parametrize("environment", CLOUD_ENVIRONMENTS)
def test_every_dead_letter_queue_names_who_may_use_it(
    plans: dict[str, dict[str, Any]], environment: str
) -> None:
    queues = [q["name"] for q in planned(plans[environment], "aws_sqs_queue")]
    dead_letter = [name for name in queues if name.endswith(("-dlq", "-failures"))]
    policies = planned(plans[environment], "aws_sqs_queue_redrive_allow_policy")
    assert len(policies) == len(dead_letter) == 9, (dead_letter, len(policies))
