"""Static checks of every Terraform module, root and example: formatting, `init -backend=false`,
`validate`, and each module's own `terraform test` files against a mocked provider."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cloud_roots import copy_terraform

from devtools.cli.tfdocs import documented_configs
from devtools.devstack.terraform import Terraform, TerraformError, provider_mirror
from devtools.terraform_source import read_module

REPO = Path(__file__).resolve().parents[2]
TERRAFORM = REPO / "terraform"
# Every directory holding .tf files (modules, their examples, environments), found rather than listed.
CONFIGS = sorted(
    {
        path.parent.relative_to(TERRAFORM).as_posix()
        for path in TERRAFORM.rglob("*.tf")
        if ".terraform" not in path.relative_to(TERRAFORM).parts
    }
)
MODULES = sorted(path.name for path in (TERRAFORM / "modules").iterdir() if any(path.glob("*.tf")))

pytestmark = pytest.mark.terraform


def runner(working_dir: Path, data_dir: Path) -> Terraform:
    """A runner with a private data dir; fails (never skips) when the toolchain is incomplete."""
    if shutil.which("terraform") is None:
        pytest.fail(
            "terraform is not on PATH: install Terraform >= 1.9 (https://developer.hashicorp.com/terraform)"
        )
    if provider_mirror() is None:
        pytest.fail(
            "no Terraform provider mirror: set FOYER_TF_PROVIDER_MIRROR to a filesystem mirror holding "
            "registry.terraform.io/hashicorp/aws (default /opt/tf-plugins)"
        )
    return Terraform(working_dir, data_dir)


def initialised_copy(config: str, tmp_path: Path, *, backend: bool = False) -> Terraform:
    """A runner on an initialised copy of `config`: init writes lock files, and modules must not get one.
    A cloud root's S3 backend is overridden by a local one in the copy (cloud_roots.py)."""
    copy_terraform(tmp_path / "terraform")
    terraform = runner(tmp_path / "terraform" / config, tmp_path / "data")
    if backend:  # a root's local backend, with its state in tmp_path
        terraform.init(backend_path=tmp_path / "state" / "terraform.tfstate")
    else:
        terraform.init(backend=False)
    return terraform


def test_configurations_are_discovered() -> None:
    assert {"modules/dynamodb_table", "modules/lambda_app", "environments/local"} <= set(CONFIGS)
    assert {"dynamodb_table", "lambda_app"} <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_every_module_has_a_runnable_example(module: str) -> None:
    examples = [c for c in CONFIGS if c.startswith(f"modules/{module}/examples/")]
    assert examples, f"terraform/modules/{module} has no examples/<name>/ root"
    for example in examples:
        versions = (TERRAFORM / example / "versions.tf").read_text()
        assert 'version = "~> 5.100"' in versions, f"{example}/versions.tf must pin hashicorp/aws ~> 5.100"
        calls = "".join(path.read_text() for path in (TERRAFORM / example).glob("*.tf"))
        assert 'source = "../.."' in calls, f'{example} must call its module (source = "../..")'


def test_fmt(tmp_path: Path) -> None:
    try:
        runner(TERRAFORM, tmp_path / "data").fmt_check()
    except TerraformError as error:
        pytest.fail(f"run `make fmt`: {error}")


@pytest.mark.parametrize("config", CONFIGS)
def test_validate(config: str, tmp_path: Path) -> None:
    initialised_copy(config, tmp_path).validate()


@pytest.mark.parametrize("module", MODULES)
def test_module_tests_pass(module: str, tmp_path: Path) -> None:
    tests = sorted((TERRAFORM / "modules" / module / "tests").glob("*.tftest.hcl"))
    assert tests, f"terraform/modules/{module}/tests holds no *.tftest.hcl file"
    terraform = initialised_copy(f"modules/{module}", tmp_path)
    try:
        report = terraform.test()
    except TerraformError as error:
        pytest.fail(f"`terraform test` failed in terraform/modules/{module}:\n{error}")
    assert " 0 failed" in report, report
    assert " 0 passed" not in report, report


@pytest.mark.parametrize(
    "config", [path.relative_to(TERRAFORM).as_posix() for path in documented_configs(TERRAFORM)]
)
def test_the_docs_reader_agrees_with_terraform(config: str, tmp_path: Path) -> None:
    """The README generator's HCL reader sees the variables and defaults terraform itself sees."""
    variables = read_module(TERRAFORM / config).variables
    defaulted = [v for v in variables if not v.required]
    assert defaulted, f"{config} has no variable with a default to compare"
    terraform = initialised_copy(config, tmp_path, backend=config.startswith("environments/"))
    # A sensitive default prints as "(sensitive value)": unwrap it, the comparison is the point here.
    read = [f"nonsensitive(var.{v.name})" if v.sensitive else f"var.{v.name}" for v in defaulted]
    printed = terraform.console(
        "jsonencode({"
        + ", ".join(f"{v.name} = {expression}" for v, expression in zip(defaulted, read, strict=True))
        + "})"
    )
    # A module whose for_each reads a required variable warns first that it cannot expand it without
    # a value; the defaults are still printed, last.
    printed = printed.strip().splitlines()[-1] if printed.strip() else printed
    assert printed.startswith('"'), f"terraform console printed {printed!r}"
    # Console prints the JSON as an HCL string, which is a JSON string here (no `${` to escape).
    assert [v.name for v in defaulted if not v.literal] == []
    assert json.loads(json.loads(printed)) == {v.name: v.value for v in defaulted}
