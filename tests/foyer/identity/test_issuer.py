"""foyer.identity.issuer: the authorizer's settings, read without pydantic under the names and bounds
IdentitySettings declares; every missing or invalid variable named in one StartupError."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from foyer.identity.issuer import VARIABLES, IssuerSettings, issuer_settings
from foyer.identity.settings import IdentitySettings
from foyer.settings import read_stack_file
from foyer.stack_file import Emulator, Issuer, LocalStack
from foyer.startup import StartupError

GOOD = {
    "FOYER_JWT_ISSUER": "https://issuer.example",
    "FOYER_JWT_AUDIENCE": "foyer-bff",
    "FOYER_JWKS_URL": "https://issuer.example/.well-known/jwks.json",
}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [*VARIABLES.values(), "AWS_LAMBDA_FUNCTION_NAME"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FOYER_STACK_FILE", str(tmp_path / "absent.json"))
    read_stack_file.cache_clear()


def set_env(monkeypatch: pytest.MonkeyPatch, variables: dict[str, str]) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)


def test_the_environment_names_the_issuer(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch, {**GOOD, "FOYER_JWT_LEEWAY_S": "60"})
    assert issuer_settings() == IssuerSettings(
        "https://issuer.example", "foyer-bff", "https://issuer.example/.well-known/jwks.json", 60
    )


def test_the_leeway_defaults_as_the_bffs_settings_do(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch, GOOD)
    assert issuer_settings().leeway_s == IdentitySettings().jwt_leeway_s == 30


def test_every_missing_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOYER_JWT_ISSUER", "https://issuer.example")
    monkeypatch.setenv("FOYER_JWT_AUDIENCE", "")  # set but empty: as good as missing
    with pytest.raises(StartupError) as refused:
        issuer_settings()
    assert str(refused.value).endswith("FOYER_JWT_AUDIENCE: not set; FOYER_JWKS_URL: not set")


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("FOYER_JWT_LEEWAY_S", "301", "FOYER_JWT_LEEWAY_S: from 0 to 300 seconds, not 301"),
        ("FOYER_JWT_LEEWAY_S", "-1", "FOYER_JWT_LEEWAY_S: from 0 to 300 seconds, not -1"),
        ("FOYER_JWT_LEEWAY_S", "half a minute", "FOYER_JWT_LEEWAY_S: an integer number of seconds"),
        (
            "FOYER_JWKS_URL",
            "ftp://issuer/jwks.json",
            "FOYER_JWKS_URL: a URL starting https://, http://, file://",
        ),
    ],
)
def test_an_invalid_variable_is_named(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    set_env(monkeypatch, {**GOOD, variable: value})
    with pytest.raises(StartupError, match=named):
        issuer_settings()


@pytest.mark.parametrize("value", ["0", "300", " 45 "])
def test_the_leeway_bounds_are_the_bffs(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    set_env(monkeypatch, {**GOOD, "FOYER_JWT_LEEWAY_S": value})
    assert issuer_settings().leeway_s == IdentitySettings().jwt_leeway_s == int(value)


def test_outside_lambda_the_stack_file_fills_the_gaps(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stack = LocalStack(
        region="eu-west-1",
        emulator=Emulator(endpoint="http://127.0.0.1:4566"),
        tables={},
        functions={},
        ports={},
        identity=Issuer(issuer="http://local-issuer", audience="local-bff", jwks_url="file:///keys.json"),
    )
    path = tmp_path / "stack.json"
    path.write_text(json.dumps(stack.model_dump(mode="json")))
    monkeypatch.setenv("FOYER_STACK_FILE", str(path))
    monkeypatch.setenv("FOYER_JWT_AUDIENCE", "from-the-environment")  # the environment wins
    assert issuer_settings() == IssuerSettings(
        "http://local-issuer", "from-the-environment", "file:///keys.json"
    )
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "foyer-authorizer")  # in Lambda: the environment only
    with pytest.raises(StartupError, match="FOYER_JWT_ISSUER: not set; FOYER_JWKS_URL: not set"):
        issuer_settings()
