"""foyer.stack_file: the one model that writes `.local/stack.json` and reads it back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from foyer.stack_file import Emulator, Function, LocalStack, StackFileError


def described(**changes: object) -> LocalStack:
    stack = LocalStack(
        region="eu-west-1",
        emulator=Emulator(endpoint="http://127.0.0.1:4566"),
        tables={"catalog": "foyer-local-catalog"},
        functions={
            "catalog": Function(
                function_name="foyer-local-catalog",
                handler="services.catalog.handler.handler",
                arn="arn:aws:lambda:eu-west-1:123456789012:function:foyer-local-catalog",
            ),
            "web": Function(
                function_name="foyer-local-web",
                handler="bff.web.handler.handler",
                arn="arn:aws:lambda:eu-west-1:123456789012:function:foyer-local-web",
            ),
        },
        ports={"catalog": 8101, "web": 8001},
    )
    return stack.model_copy(update=changes)


def test_what_is_written_reads_back_equal(tmp_path: Path) -> None:
    stack = described(apps={"catalog": "http://127.0.0.1:8101"})
    path = stack.write(tmp_path / "deeper" / "stack.json")
    assert LocalStack.read(path) == stack
    assert not path.with_suffix(".tmp").exists()


def test_the_file_keeps_the_emulator_keys_beside_its_endpoint(tmp_path: Path) -> None:
    data = json.loads(described().write(tmp_path / "stack.json").read_text())
    assert data["emulator"] == {
        "endpoint": "http://127.0.0.1:4566",
        "access_key_id": "test",
        "secret_access_key": "test",
    }
    assert data["apps"] == {}


def test_no_file_is_no_stack(tmp_path: Path) -> None:
    assert LocalStack.read(tmp_path / "absent.json") is None
    assert LocalStack.read(tmp_path / "absent.json" / "below") is None


@pytest.mark.parametrize(
    "text",
    ["{", "[]", '{"region": "eu-west-1"}', json.dumps({**described().model_dump(), "unknown": 1})],
    ids=["not json", "not an object", "missing keys", "a key the model does not know"],
)
def test_a_file_the_model_does_not_describe_is_refused_naming_it(tmp_path: Path, text: str) -> None:
    path = tmp_path / "stack.json"
    path.write_text(text)
    with pytest.raises(StackFileError, match=str(path)):
        LocalStack.read(path)


def test_each_app_is_served_from_the_app_module_beside_its_handler() -> None:
    assert described().app_modules == {"catalog": "services.catalog.app:app", "web": "bff.web.app:app"}


def test_ports_shift_by_the_offset_and_an_undeclared_app_names_the_apps_map() -> None:
    stack = described()
    assert stack.port("catalog") == 8101
    moved = stack.shifted(1000)
    assert (moved.port("web"), moved.ports["catalog"], moved.port_offset) == (9001, 9101, 1000)
    with pytest.raises(KeyError, match=r"locals\.apps in terraform/modules/platform/main\.tf"):
        stack.port("orders")


def test_aws_env_points_boto3_at_the_emulator() -> None:
    assert described().aws_env() == {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
    }


def test_settings_without_a_stack_file_never_load_the_model(tmp_path: Path) -> None:
    """In a Lambda there is no stack file: its models would only add to the cold start."""
    probe = (
        "import sys; from foyer.settings import FoyerSettings; FoyerSettings(); "
        "assert 'foyer.stack_file' not in sys.modules, 'foyer.stack_file was imported'"
    )
    env = {"PATH": os.environ["PATH"], "FOYER_STACK_FILE": str(tmp_path / "absent.json")}
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
