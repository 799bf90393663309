"""`terraform apply`, then `destroy`, of environments/dev against an emulator of its own, through
pytest-terraform's runner: the root works end to end, and the destroy leaves nothing behind.

The emulator is this module's own (not the session's, which holds the local stack), so "nothing left"
can be read as: every listing the dev root could have filled is empty again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from cloud_roots import (
    API_GATEWAY_LOGGING_ROLE,
    EMULATOR_OVERRIDE,
    copy_terraform,
    emulator_only_env,
    set_api_gateway_logging,
)
from pytest_terraform.tf import TerraformRunner, TerraformTestApi

from devtools.devstack.emulator import Emulator
from devtools.devstack.stack import DIST
from devtools.devstack.terraform import Terraform

pytestmark = [pytest.mark.terraform, pytest.mark.integration]
SERVICES = {"catalog", "inventory", "notifications", "orders", "payments"}
BFFS = {"web", "mobile", "partner"}


class Applied:
    """The dev root applied to `emulator`: pytest-terraform's view of the state, and its runner."""

    def __init__(self, emulator: Emulator, state: TerraformTestApi, runner: TerraformRunner) -> None:
        self.emulator = emulator
        self.state = state
        self.runner = runner

    @property
    def outputs(self) -> dict[str, Any]:
        """The platform module's outputs, as the root re-exports them (output `platform`)."""
        platform: dict[str, Any] = self.state.outputs["platform"]["value"]
        return platform

    def client(self, service: str) -> Any:
        return boto3.client(  # type: ignore[call-overload]  # the service name is a runtime string
            service,
            endpoint_url=self.emulator.endpoint,
            region_name="eu-west-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Applied]:
    """environments/dev applied to a fresh emulator; destroyed by the last test (and again on teardown)."""
    if not any(DIST.glob("*.zip")):
        pytest.fail("dist/ has no Lambda zips: run the suite with `make test` (it packages first)")
    work = tmp_path_factory.mktemp("dev-apply")
    root = copy_terraform(work / "terraform") / "environments" / "dev"
    (root / "test.auto.tfvars.json").write_text(json.dumps({"artifacts_dir": str(DIST)}))
    # moto neither stores nor returns RedriveAllowPolicy: the provider would wait for it forever.
    (root / "emulator_override.tf").write_text(EMULATOR_OVERRIDE)
    # The provider mirror's CLI config, as the project's own runner writes it.
    cli_config = Terraform(root, work / "cli").env.get("TF_CLI_CONFIG_FILE")
    with Emulator(log_path=work / "moto.log") as emulator, pytest.MonkeyPatch.context() as patch:
        for name, value in emulator_only_env(emulator.endpoint).items():
            patch.setenv(name, value)
        patch.setenv("CHECKPOINT_DISABLE", "1")
        if cli_config:
            patch.setenv("TF_CLI_CONFIG_FILE", cli_config)
        set_api_gateway_logging(emulator.endpoint)  # the account as environments/bootstrap leaves it
        runner = TerraformRunner(str(work / "data"), module_dir=str(root), tf_bin="terraform")
        runner.init()
        try:
            runner.apply()
            yield Applied(emulator, TerraformTestApi.from_file(runner.state_path, runner), runner)
        finally:
            runner.destroy()  # idempotent: nothing to do when the last test already destroyed


def test_apply_creates_the_whole_dev_environment(dev: Applied) -> None:
    outputs = dev.outputs
    assert set(outputs["functions"]) == SERVICES | BFFS
    assert outputs["event_bus"] == "foyer-dev-events"
    functions = dev.client("lambda").list_functions()["Functions"]
    assert {f["FunctionName"] for f in functions} >= {"foyer-dev-catalog", "foyer-dev-orders-saga"}
    assert {f["MemorySize"] for f in functions} == {768}


def test_every_service_url_takes_signed_callers_only(dev: Applied) -> None:
    urls = dev.outputs["service_urls"]
    assert set(urls) == SERVICES
    config = dev.client("lambda").get_function_url_config(FunctionName="foyer-dev-orders")
    assert config["AuthType"] == "AWS_IAM"


def test_each_caller_is_told_exactly_its_callees_urls_and_signs(dev: Applied) -> None:
    urls = dev.outputs["service_urls"]
    for caller, callees in {"orders": {"catalog"}, "partner": {"catalog", "inventory", "orders"}}.items():
        configuration = dev.client("lambda").get_function_configuration(FunctionName=f"foyer-dev-{caller}")
        variables = configuration["Environment"]["Variables"]
        assert json.loads(variables["FOYER_SERVICE_URLS"]) == {name: urls[name] for name in callees}
        assert variables["FOYER_SIGN_SERVICE_CALLS"] == "true"


def test_the_web_acl_logs_and_the_alarms_notify(dev: Applied) -> None:
    acls = dev.client("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"]
    assert sorted(acl["Name"] for acl in acls) == ["foyer-dev-mobile", "foyer-dev-partner", "foyer-dev-web"]
    alarms = dev.client("cloudwatch").describe_alarms()["MetricAlarms"]
    topic = dev.outputs["alarm_topic_arn"]
    assert alarms
    assert all(alarm["AlarmActions"] == [topic] for alarm in alarms)


def listings(dev: Applied) -> dict[str, list[str]]:
    """Everything the dev root creates that a listing shows (KMS keys only pend deletion: not listed)."""
    return {
        "functions": [f["FunctionName"] for f in dev.client("lambda").list_functions()["Functions"]],
        "tables": dev.client("dynamodb").list_tables()["TableNames"],
        "queues": dev.client("sqs").list_queues().get("QueueUrls", []),
        "topics": [t["TopicArn"] for t in dev.client("sns").list_topics()["Topics"]],
        "buses": [
            b["Name"] for b in dev.client("events").list_event_buses()["EventBuses"] if b["Name"] != "default"
        ],
        "secrets": [s["Name"] for s in dev.client("secretsmanager").list_secrets()["SecretList"]],
        "roles": [
            r["RoleName"]
            for r in dev.client("iam").list_roles()["Roles"]
            if r["RoleName"] != API_GATEWAY_LOGGING_ROLE  # the account's, not the dev root's
        ],
        "log groups": [g["logGroupName"] for g in dev.client("logs").describe_log_groups()["logGroups"]],
        "alarms": [a["AlarmName"] for a in dev.client("cloudwatch").describe_alarms()["MetricAlarms"]],
        "dashboards": [
            d["DashboardName"] for d in dev.client("cloudwatch").list_dashboards()["DashboardEntries"]
        ],
        "web ACLs": [a["Name"] for a in dev.client("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"]],
    }


def test_destroy_leaves_nothing_behind(dev: Applied) -> None:
    assert all(listings(dev).values()), f"the apply left some listing empty: {listings(dev)}"
    dev.runner.destroy()
    left = {kind: names for kind, names in listings(dev).items() if names}
    assert left == {}, f"left behind after destroy: {left}"
    assert json.loads(Path(dev.runner.state_path).read_text())["resources"] == []
