"""environments/bootstrap against the emulator, and the cloud roots' check that it was applied.

The emulator enforces no API Gateway account setting: a stage with access logging is created whether
or not the account's CloudWatch role is set, where AWS refuses it. So the cloud roots look the
bootstrap's logging role up and stop the plan without it; these tests plan a cloud root in an account
without the role (refused, naming the bootstrap root), apply the bootstrap root, and plan it again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from cloud_roots import (
    API_GATEWAY_LOGGING_PATH,
    API_GATEWAY_LOGGING_ROLE,
    CLOUD_ENVIRONMENTS,
    TERRAFORM,
    copy_terraform,
    emulator_only_env,
)

from devtools.devstack.emulator import Emulator
from devtools.devstack.stack import DIST
from devtools.devstack.terraform import Terraform, TerraformError

pytestmark = [pytest.mark.terraform, pytest.mark.integration]
REPOSITORY = "foyer-example/foyer"
ACCOUNT = "123456789012"  # the emulator's account


class Account:
    """An emulator of this module's own (an account nobody bootstrapped yet) and a copy of terraform/."""

    def __init__(self, emulator: Emulator, terraform: Path, work: Path) -> None:
        self.emulator = emulator
        self.terraform = terraform
        self.work = work

    def runner(self, root: str) -> Terraform:
        work = self.work / root
        runner = Terraform(
            self.terraform / "environments" / root,
            work / "data",
            env=emulator_only_env(self.emulator.endpoint),
        )
        runner.init(backend_path=work / "terraform.tfstate")
        return runner

    def client(self, service: str) -> Any:
        return boto3.client(  # type: ignore[call-overload]  # the service name is a runtime string
            service,
            endpoint_url=self.emulator.endpoint,
            region_name="eu-west-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Account]:
    if not any(DIST.glob("*.zip")):
        pytest.fail("dist/ has no Lambda zips: run the suite with `make test` (it packages first)")
    work = tmp_path_factory.mktemp("bootstrap")
    terraform = copy_terraform(work / "terraform")
    # AWS's managed policies (AmazonAPIGatewayPushToCloudWatchLogs, PowerUserAccess) exist in every
    # account; the emulator loads them only when asked.
    with Emulator(log_path=work / "moto.log", env={"MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}) as emulator:
        yield Account(emulator, terraform, work)


@pytest.fixture(scope="module")
def refused(account: Account) -> TerraformError:
    """The dev root planned before the account is bootstrapped (module-scoped: runs first)."""
    with pytest.raises(TerraformError) as error:
        account.runner("dev").plan_json({"artifacts_dir": str(DIST)})
    return error.value


@pytest.fixture(scope="module")
def bootstrapped(account: Account, refused: TerraformError) -> dict[str, Any]:
    """The bootstrap root applied to the account; its outputs."""
    runner = account.runner("bootstrap")
    runner.apply({"github_repository": REPOSITORY, "account_id": ACCOUNT})
    return runner.output()


def test_a_cloud_root_refuses_to_plan_in_an_account_never_bootstrapped(refused: TerraformError) -> None:
    message = " ".join(refused.stderr.split())
    assert "no API Gateway CloudWatch role" in message, message
    assert "terraform/environments/bootstrap" in message, message


def test_bootstrap_sets_the_api_gateway_account_logging_role(
    account: Account, bootstrapped: dict[str, Any]
) -> None:
    role = account.client("iam").get_role(RoleName=API_GATEWAY_LOGGING_ROLE)["Role"]
    assert role["Path"] == API_GATEWAY_LOGGING_PATH
    assert account.client("apigateway").get_account()["cloudwatchRoleArn"] == role["Arn"]
    assert bootstrapped["api_gateway_cloudwatch_role_arn"] == role["Arn"]
    attached = account.client("iam").list_attached_role_policies(RoleName=API_GATEWAY_LOGGING_ROLE)
    assert [p["PolicyName"] for p in attached["AttachedPolicies"]] == ["AmazonAPIGatewayPushToCloudWatchLogs"]


def test_a_cloud_root_plans_once_the_account_is_bootstrapped(
    account: Account, bootstrapped: dict[str, Any]
) -> None:
    plan = account.runner("dev").plan_json({"artifacts_dir": str(DIST)})
    assert any(change["type"] == "aws_api_gateway_stage" for change in plan["resource_changes"])


def test_every_cloud_root_carries_the_same_check() -> None:
    """dev stands in for all three above: the check is one file, the same in every cloud root."""
    checks = {
        env: (TERRAFORM / "environments" / env / "bootstrap.tf").read_text() for env in CLOUD_ENVIRONMENTS
    }
    assert len(set(checks.values())) == 1, "environments/*/bootstrap.tf differ"


def test_the_state_bucket_is_versioned_encrypted_private_and_tls_only(
    account: Account, bootstrapped: dict[str, Any]
) -> None:
    s3, bucket = account.client("s3"), bootstrapped["state_bucket"]
    assert bucket == f"foyer-tfstate-{ACCOUNT}-eu-west-1"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    default = rule["ApplyServerSideEncryptionByDefault"]
    assert (default["SSEAlgorithm"], default["KMSMasterKeyID"]) == (
        "aws:kms",
        bootstrapped["state_kms_key_arn"],
    )
    blocked = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert blocked == dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
    )
    statements = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    assert {"Bool": {"aws:SecureTransport": "false"}} in [
        s["Condition"] for s in statements if s["Effect"] == "Deny"
    ]


def test_each_deploy_role_trusts_only_its_repository_and_github_environment(
    account: Account, bootstrapped: dict[str, Any]
) -> None:
    (provider,) = account.client("iam").list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert bootstrapped["github_oidc_provider_arn"] == provider["Arn"]
    roles = {"deploy": bootstrapped["deploy_role_arns"], "plan": bootstrapped["plan_role_arns"]}
    assert set(roles["deploy"]) == set(roles["plan"]) == set(CLOUD_ENVIRONMENTS)
    for kind, arns in roles.items():
        for environment, arn in arns.items():
            name = arn.rsplit("/", 1)[1]
            trust = account.client("iam").get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
            (statement,) = trust["Statement"]
            github = environment if kind == "deploy" else f"{environment}-plan"
            assert statement["Principal"] == {"Federated": provider["Arn"]}
            assert statement["Condition"]["StringEquals"] == {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": f"repo:{REPOSITORY}:environment:{github}",
            }


def test_a_deploy_role_administers_only_its_own_environments_iam(
    account: Account, bootstrapped: dict[str, Any]
) -> None:
    iam = account.client("iam")
    policy = iam.get_role_policy(RoleName="foyer-deploy-prod", PolicyName="terraform-state")["PolicyDocument"]
    (iam_statement,) = [s for s in policy["Statement"] if s.get("Sid") == "OwnEnvironmentsRolesAndPolicies"]
    assert sorted(iam_statement["Resource"]) == [
        f"arn:aws:iam::{ACCOUNT}:policy/foyer-prod-*",
        f"arn:aws:iam::{ACCOUNT}:role/foyer-prod-*",
    ]
    # The deploy roles themselves lie outside every environment's prefix.
    assert not any(
        arn.split("/")[-1].startswith(("foyer-dev-", "foyer-prod-"))
        for arn in bootstrapped["deploy_role_arns"].values()
    )
