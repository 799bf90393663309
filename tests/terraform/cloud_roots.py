"""What the tests of the cloud roots (environments/dev, staging, prod) share: a copy of terraform/ whose
root keeps its state locally, and an environment in which the AWS provider reaches the emulator only.

The roots declare an S3 backend (partial configuration); a test must neither need a bucket nor touch
one, so the copy gets a `backend_override.tf` (Terraform's override files replace the backend block).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

TERRAFORM = Path(__file__).resolve().parents[2] / "terraform"
# What a cloud root applied to the emulator turns off: moto neither stores nor returns a queue's
# RedriveAllowPolicy, so the provider would wait for it forever (the plans keep the policies).
EMULATOR_OVERRIDE = 'module "platform" {\n  sqs_redrive_allow_policies = false\n}\n'
CLOUD_ENVIRONMENTS = ("dev", "staging", "prod")
LOCAL_BACKEND = 'terraform {\n  backend "local" {}\n}\n'


def declares_s3_backend(root: Path) -> bool:
    """Whether the root's own files declare the S3 backend (the cloud roots do, local does not)."""
    return any('backend "s3"' in path.read_text() for path in root.glob("*.tf"))


def copy_terraform(destination: Path) -> Path:
    """terraform/ copied to `destination` (no .terraform data), each S3 backend overridden by a local one."""
    shutil.copytree(TERRAFORM, destination, ignore=shutil.ignore_patterns(".terraform"))
    for root in (destination / "environments").iterdir():
        if declares_s3_backend(root):
            (root / "backend_override.tf").write_text(LOCAL_BACKEND)
    return destination


def emulator_only_env(endpoint: str) -> dict[str, str]:
    """Process environment for terraform: every AWS API at `endpoint`, dummy credentials, and a dead
    proxy for any other HTTPS call, so nothing can leave 127.0.0.1 even if an endpoint were missed."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "eu-west-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        # Port 9 (discard) on loopback: a request that bypassed AWS_ENDPOINT_URL fails instead of leaving.
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,localhost",
    }


# The role environments/bootstrap creates and every cloud root looks up (their bootstrap.tf).
API_GATEWAY_LOGGING_PATH = "/foyer/"
API_GATEWAY_LOGGING_ROLE = "foyer-api-gateway-logs-eu-west-1"


def set_api_gateway_logging(endpoint: str) -> None:
    """What environments/bootstrap does for the cloud roots' check, at `endpoint`: the logging role and
    the API Gateway account setting naming it (test_bootstrap.py applies the root itself)."""
    import boto3

    keys = {"region_name": "eu-west-1", "aws_access_key_id": "test", "aws_secret_access_key": "test"}
    iam = boto3.client("iam", endpoint_url=endpoint, **keys)  # type: ignore[call-overload]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "apigateway.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    try:
        role = iam.create_role(
            RoleName=API_GATEWAY_LOGGING_ROLE,
            Path=API_GATEWAY_LOGGING_PATH,
            AssumeRolePolicyDocument=json.dumps(trust),
        )["Role"]
    except iam.exceptions.EntityAlreadyExistsException:
        role = iam.get_role(RoleName=API_GATEWAY_LOGGING_ROLE)["Role"]
    apigateway = boto3.client("apigateway", endpoint_url=endpoint, **keys)  # type: ignore[call-overload]
    apigateway.update_account(
        patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role["Arn"]}]
    )


def api_key_material(shown: Any) -> list[str]:
    """Where a plan or state (`terraform show -json`) holds an API key or a value: every resource of
    an API key type and every output naming an API key."""
    found: list[str] = []
    if isinstance(shown, dict):
        if shown.get("type") in ("aws_api_gateway_api_key", "aws_api_gateway_usage_plan_key"):
            found.append(str(shown.get("address")))
        for name, value in shown.items():
            if name in ("outputs", "output_changes") and isinstance(value, dict):
                found += [f"output.{output}" for output in value if "api_key" in output]
            found += api_key_material(value)
    elif isinstance(shown, list):
        for value in shown:
            found += api_key_material(value)
    return sorted(set(found))
