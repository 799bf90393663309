"""Shared fixtures: one AWS emulator and one `terraform apply` of environments/local per test run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from foyer import aws, settings
from foyer.devstack.emulator import Emulator
from foyer.devstack.stack import DIST, LocalStack, local_terraform, provision
from foyer.devstack.terraform import Terraform


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    log = tmp_path_factory.mktemp("emulator") / "moto.log"
    with Emulator(log_path=log) as running:
        yield running


@pytest.fixture(scope="session")
def stack_state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the session's Terraform state, data dir and stack file live."""
    return tmp_path_factory.mktemp("local-stack")


@pytest.fixture(scope="session")
def stack(emulator: Emulator, stack_state_dir: Path) -> Iterator[LocalStack]:
    """The local environment applied to the emulator; the process env points boto3 at it."""
    if not any(DIST.glob("*.zip")):
        pytest.fail("dist/ has no Lambda zips: run the suite with `make test` (it packages first)")
    applied = provision(emulator.endpoint, stack_state_dir)
    stack_file = applied.write(stack_state_dir / "stack.json")
    saved = dict(os.environ)
    os.environ.update({**applied.aws_env(), "FOYER_ENV": "local", "FOYER_STACK_FILE": str(stack_file)})
    _forget_cached_configuration()
    yield applied
    os.environ.clear()
    os.environ.update(saved)
    _forget_cached_configuration()


@pytest.fixture(scope="session")
def local_terraform_runner(stack: LocalStack, stack_state_dir: Path) -> Terraform:
    """The runner (and state) that applied the session's stack: plan or apply it again."""
    return local_terraform(stack_state_dir)


def _forget_cached_configuration() -> None:
    aws.reset()
    settings.platform.cache_clear()
    settings.read_stack_file.cache_clear()


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]
