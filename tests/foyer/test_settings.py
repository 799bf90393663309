"""foyer.settings: the environment wins, the local stack file fills the gaps, no file is fine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from foyer.settings import FoyerSettings, ServiceSettings, read_stack_file
from foyer.stack_file import Emulator, LocalStack, StackFileError

# Written by the model the dev stack writes with (foyer.stack_file), so reader and writer agree.
STACK: dict[str, Any] = LocalStack(
    region="eu-central-1",
    emulator=Emulator(endpoint="http://127.0.0.1:4566"),
    tables={"catalog": "foyer-local-catalog", "inventory": "foyer-local-inventory"},
    functions={},
    ports={"catalog": 8101, "inventory": 8102},
).model_dump(mode="json")
VARIABLES = (
    "FOYER_ENV",
    "FOYER_SERVICE",
    "FOYER_STACK_FILE",
    "FOYER_SERVICE_URLS",
    "TABLE_NAME",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_LAMBDA_FUNCTION_NAME",
    "FOYER_SIGN_SERVICE_CALLS",
    "BFF_SIGN_SERVICE_CALLS",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    # Never read a developer's real .local/stack.json from the working directory.
    monkeypatch.chdir(tmp_path)
    # The default path is relative: a read cached by an earlier test (another cwd) must not count.
    read_stack_file.cache_clear()


def stack_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: Any = STACK) -> Path:
    path = tmp_path / "stack.json"
    path.write_text(json.dumps(content))
    monkeypatch.setenv("FOYER_STACK_FILE", str(path))
    return path


def test_the_stack_file_supplies_endpoint_region_keys_and_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack_file(tmp_path, monkeypatch)
    monkeypatch.setenv("FOYER_SERVICE", "catalog")
    settings = ServiceSettings()
    assert settings.aws_endpoint_url == "http://127.0.0.1:4566"
    assert settings.aws_region == "eu-central-1"
    assert settings.aws_access_key_id == "test"
    assert settings.aws_secret_access_key == "test"
    assert settings.table_name == "foyer-local-catalog"
    assert settings.service == "catalog"


def test_the_environment_wins_over_the_stack_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stack_file(tmp_path, monkeypatch)
    monkeypatch.setenv("FOYER_SERVICE", "inventory")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://emulator:5000")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("TABLE_NAME", "from-env")
    settings = ServiceSettings()
    assert settings.aws_endpoint_url == "http://emulator:5000"
    assert settings.aws_region == "eu-west-1"
    assert settings.table_name == "from-env"
    assert settings.aws_access_key_id == "test"  # not in the environment: still from the file


def test_aws_default_region_is_read_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stack_file(tmp_path, monkeypatch)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    assert FoyerSettings().aws_region == "us-east-1"


def test_the_service_picks_its_own_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stack_file(tmp_path, monkeypatch)
    monkeypatch.setenv("FOYER_SERVICE", "inventory")
    assert ServiceSettings().table_name == "foyer-local-inventory"


def test_a_missing_stack_file_is_fine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOYER_STACK_FILE", str(tmp_path / "nowhere" / "stack.json"))
    assert read_stack_file(tmp_path / "nowhere" / "stack.json") is None
    settings = FoyerSettings()
    assert settings.aws_endpoint_url is None  # in AWS: the real endpoints
    assert settings.aws_region == "eu-west-1"
    assert settings.aws_access_key_id is None
    assert settings.env == "local"


def test_the_default_stack_file_is_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".local").mkdir()
    (tmp_path / ".local" / "stack.json").write_text(json.dumps(STACK))
    monkeypatch.setenv("FOYER_SERVICE", "catalog")
    assert ServiceSettings().table_name == "foyer-local-catalog"


def test_without_file_or_environment_a_service_has_no_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOYER_STACK_FILE", str(tmp_path / "absent.json"))
    monkeypatch.setenv("FOYER_SERVICE", "catalog")
    with pytest.raises(ValidationError, match="TABLE_NAME"):
        ServiceSettings()


def test_a_service_unknown_to_the_stack_file_needs_table_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack_file(tmp_path, monkeypatch)
    monkeypatch.setenv("FOYER_SERVICE", "orders")
    with pytest.raises(ValidationError):
        ServiceSettings()
    monkeypatch.setenv("TABLE_NAME", "foyer-local-orders")
    assert ServiceSettings().table_name == "foyer-local-orders"


@pytest.mark.parametrize("content", [[1, 2], "text", None, {"region": "eu-west-1"}])
def test_a_file_that_is_no_stack_description_is_refused_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: Any
) -> None:
    # A stale or hand-edited file must not silently leave an app without its endpoint or table.
    path = stack_file(tmp_path, monkeypatch, content)
    with pytest.raises(StackFileError, match=str(path)):
        FoyerSettings()


def test_settings_are_frozen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOYER_STACK_FILE", str(tmp_path / "absent.json"))
    settings = FoyerSettings()
    with pytest.raises(ValidationError):
        settings.aws_region = "us-east-1"  # type: ignore[misc]


def test_in_lambda_only_where_the_runtime_names_the_function(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not FoyerSettings().in_lambda
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "foyer-dev-catalog")
    assert FoyerSettings().in_lambda


def test_the_running_apps_of_the_stack_file_are_the_service_urls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    running = {**STACK, "apps": {"catalog": "http://127.0.0.1:8101"}}
    stack_file(tmp_path, monkeypatch, running)
    assert FoyerSettings().service_urls == {"catalog": "http://127.0.0.1:8101"}
    monkeypatch.setenv("FOYER_SERVICE_URLS", '{"catalog": "https://catalog.example.com"}')
    assert FoyerSettings().service_urls == {"catalog": "https://catalog.example.com"}


def test_arguments_win_over_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stack_file(tmp_path, monkeypatch)
    monkeypatch.setenv("FOYER_SERVICE", "inventory")
    settings = ServiceSettings(service="catalog")
    assert settings.service == "catalog"
    assert settings.table_name == "foyer-local-catalog"  # the argument's service picks the table


def test_the_first_environment_name_set_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "eu-north-1")
    assert FoyerSettings().aws_region == "eu-north-1"


def test_a_field_without_alias_reads_its_name_in_upper_case(monkeypatch: pytest.MonkeyPatch) -> None:
    class Probe(FoyerSettings):
        queue_url: str = "none"

    assert Probe().queue_url == "none"
    monkeypatch.setenv("QUEUE_URL", "https://sqs.example/q")
    assert Probe().queue_url == "https://sqs.example/q"
    assert Probe(queue_url="given").queue_url == "given"


def test_an_invalid_value_is_refused_naming_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "LOUD")
    with pytest.raises(ValidationError, match="LOG_LEVEL"):
        FoyerSettings()


def test_loading_settings_imports_neither_pydantic_settings_nor_dotenv() -> None:
    # About 10 ms of every cold start (python -X importtime in the packaged catalog).
    code = "import sys, foyer.settings; print(sorted({'pydantic_settings', 'dotenv'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("variable", ["FOYER_SIGN_SERVICE_CALLS", "BFF_SIGN_SERVICE_CALLS"])
def test_service_calls_are_signed_only_when_the_environment_says_so(
    variable: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOYER_STACK_FILE", str(tmp_path / "absent.json"))
    assert FoyerSettings().sign_service_calls is False
    monkeypatch.setenv(variable, "true")
    assert FoyerSettings().sign_service_calls is True
