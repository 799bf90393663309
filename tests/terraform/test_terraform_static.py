"""Static checks of every Terraform module and root: formatting, `init -backend=false`, `validate`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from foyer.devstack.terraform import Terraform, TerraformError, provider_mirror

REPO = Path(__file__).resolve().parents[2]
TERRAFORM = REPO / "terraform"
# Every directory holding .tf files (modules/* and environments/*), found rather than listed.
CONFIGS = sorted({path.parent.relative_to(TERRAFORM).as_posix() for path in TERRAFORM.glob("*/*/*.tf")})

pytestmark = pytest.mark.terraform


def runner(working_dir: Path, data_dir: Path) -> Terraform:
    """A runner with a private data dir; fails (never skips) when the toolchain is incomplete."""
    if shutil.which("terraform") is None:
        pytest.fail(
            "terraform is not on PATH: install Terraform >= 1.6 (https://developer.hashicorp.com/terraform)"
        )
    if provider_mirror() is None:
        pytest.fail(
            "no Terraform provider mirror: set FOYER_TF_PROVIDER_MIRROR to a filesystem mirror holding "
            "registry.terraform.io/hashicorp/aws (default /opt/tf-plugins)"
        )
    return Terraform(working_dir, data_dir)


def test_configurations_are_discovered() -> None:
    assert {"modules/dynamodb_table", "modules/lambda_app", "environments/local"} <= set(CONFIGS)


def test_fmt(tmp_path: Path) -> None:
    try:
        runner(TERRAFORM, tmp_path / "data").fmt_check()
    except TerraformError as error:
        pytest.fail(f"run `make fmt`: {error}")


@pytest.mark.parametrize("config", CONFIGS)
def test_validate(config: str, tmp_path: Path) -> None:
    # A copy of the tree: init writes lock files next to the config, and modules must not get one.
    shutil.copytree(TERRAFORM, tmp_path / "terraform", ignore=shutil.ignore_patterns(".terraform"))
    terraform = runner(tmp_path / "terraform" / config, tmp_path / "data")
    terraform.init(backend=False)
    terraform.validate()
