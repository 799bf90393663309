"""docker-compose.yml: valid Compose, offline, and in step with the apps and the dev ports.

No Docker needed: the file is checked against the Compose Specification's JSON schema vendored by
check-jsonschema, then against the repository (every app has a container, on its fixed port).
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")

try:
    from foyer.devstack.ports import PORTS
except ImportError:  # the dev stack's port map not written yet: the fixed dev ports
    PORTS = {"emulator": 4566, "catalog": 8101, "inventory": 8102}


def load(path: Path = COMPOSE_FILE) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text())
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load()


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    vendored = resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    loaded = json.loads(vendored.read_text())
    assert isinstance(loaded, dict)
    return loaded


def schema_errors(schema: dict[str, Any], document: dict[str, Any]) -> list[str]:
    validator_cls = jsonschema.validators.validator_for(schema)
    validator = validator_cls(schema, format_checker=validator_cls.FORMAT_CHECKER)
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)]


def apps() -> dict[str, str]:
    """Every deployable HTTP app (an `app.py` beside a `handler.py`): name -> ASGI import path."""
    found: dict[str, str] = {}
    for room in ("services", "bff"):
        for handler in sorted((ROOT / room).glob("*/handler.py")):
            if (handler.parent / "app.py").exists():
                found[handler.parent.name] = f"{room}.{handler.parent.name}.app:app"
    return found


def published(service: dict[str, Any]) -> list[tuple[int, int]]:
    """(host port, container port) pairs of a service, short or long port syntax."""
    pairs = []
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            pairs.append((int(entry["published"]), int(entry["target"])))
            continue
        match = re.fullmatch(r"(?:[\d.]+:)?(\d+):(\d+)(?:/tcp)?", str(entry))
        assert match, f"unexpected port syntax {entry!r}"
        pairs.append((int(match[1]), int(match[2])))
    return pairs


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def shell(service: dict[str, Any]) -> str:
    """A service's entrypoint as the shell sees it (Compose turns `$$` into `$`)."""
    return " ".join(service["entrypoint"]).replace("$$", "$")


def emulator_url(compose: dict[str, Any]) -> str:
    ((_, container_port),) = published(compose["services"]["emulator"])
    return f"http://emulator:{container_port}"


# --------------------------------------------------------------------------- the schema


def test_the_file_is_valid_compose_per_check_jsonschema_cli() -> None:
    # The vendored schema: no download, works offline.
    result = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_file_is_valid_compose_per_the_vendored_schema(
    compose: dict[str, Any], schema: dict[str, Any]
) -> None:
    assert schema_errors(schema, compose) == []


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d["services"]["catalog"].update(ports={"8101": 8101}),
        lambda d: d["services"]["emulator"]["healthcheck"].update(intervall="2s"),
        lambda d: d["services"]["catalog"]["depends_on"]["emulator"].update(condition="service_ready"),
        lambda d: d.update(servicez={}),
    ],
    ids=["ports as a map", "misspelt healthcheck key", "unknown condition", "unknown top-level key"],
)
def test_the_schema_check_catches_a_broken_file(
    compose: dict[str, Any], schema: dict[str, Any], breakage: Any
) -> None:
    broken = copy.deepcopy(compose)
    breakage(broken)
    assert schema_errors(schema, broken)


def test_the_cli_fails_on_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "docker-compose.yml"
    broken.write_text("services:\n  catalog:\n    image: python:3.12-slim\n    ports: {'8101': 8101}\n")
    result = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.compose-spec", str(broken)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr


# --------------------------------------------------------------------------- the repository


def test_the_fallback_ports_agree_with_the_dev_stack() -> None:
    for name, port in {"emulator": 4566, "catalog": 8101, "inventory": 8102}.items():
        assert PORTS[name] == port


def test_every_app_has_a_container(compose: dict[str, Any]) -> None:
    missing = sorted(set(apps()) - set(compose["services"]))
    assert not missing, f"apps with a handler.py but no service in docker-compose.yml: {missing}"


@pytest.mark.parametrize("name", ["catalog", "inventory"])
def test_the_domain_services_are_declared_even_before_their_code(compose: dict[str, Any], name: str) -> None:
    assert name in compose["services"]


def test_every_published_port_is_the_fixed_dev_port(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for host_port, _ in published(service):
            assert name in PORTS, f"{name} publishes {host_port} but has no port in foyer/devstack/ports.py"
            assert host_port == PORTS[name], f"{name}: published {host_port}, dev port is {PORTS[name]}"
    assert published(compose["services"]["emulator"])[0][0] == PORTS["emulator"]


def app_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in compose["services"].items() if "APP" in environment(s)}


def test_the_app_containers_are_exactly_the_apps(compose: dict[str, Any]) -> None:
    declared = app_services(compose)
    assert {"catalog", "inventory"} <= set(declared)
    for name, import_path in apps().items():
        assert environment(declared[name])["APP"] == import_path
    for name, service in declared.items():
        room, module = environment(service)["APP"].split(".")[0], environment(service)["APP"].split(":")[0]
        assert room in {"services", "bff"}
        assert module == f"{room}.{name}.app", f"{name} runs {module}"


def test_each_app_listens_on_its_port_and_checks_its_health(compose: dict[str, Any]) -> None:
    for name, service in app_services(compose).items():
        env = environment(service)
        assert int(env["PORT"]) == PORTS[name]
        assert published(service) == [(PORTS[name], PORTS[name])], name
        assert service["image"].startswith("python:3.12")
        test = " ".join(service["healthcheck"]["test"])
        assert "/health" in test
        assert "PORT" in test or str(PORTS[name]) in test
        entry = shell(service)
        assert "uvicorn" in entry
        assert "--host 0.0.0.0" in entry
        assert '--port "$PORT"' in entry or f"--port {PORTS[name]}" in entry
        assert 'uvicorn "$APP"' in entry


def test_each_app_waits_for_the_emulator_and_the_terraform_apply(compose: dict[str, Any]) -> None:
    for name, service in app_services(compose).items():
        assert service["depends_on"] == {
            "emulator": {"condition": "service_healthy"},
            "terraform": {"condition": "service_completed_successfully"},
        }, name
    assert compose["services"]["terraform"]["depends_on"] == {"emulator": {"condition": "service_healthy"}}
    assert "healthcheck" in compose["services"]["emulator"]


def test_each_app_reaches_the_emulator_with_dummy_keys(compose: dict[str, Any]) -> None:
    for name, service in app_services(compose).items():
        env = environment(service)
        assert env["AWS_ENDPOINT_URL"] == emulator_url(compose), name
        assert env["AWS_REGION"] == "eu-west-1"
        assert env["AWS_ACCESS_KEY_ID"] == env["AWS_SECRET_ACCESS_KEY"] == "test"
        assert env["FOYER_SERVICE"] == name if name in {"catalog", "inventory"} else True
        assert not Path(env["FOYER_STACK_FILE"]).exists()


@pytest.mark.parametrize("name", ["catalog", "inventory"])
def test_service_tables_follow_the_terraform_naming(compose: dict[str, Any], name: str) -> None:
    env = environment(compose["services"][name])
    assert env["FOYER_SERVICE"] == name
    assert env["TABLE_NAME"] == f"foyer-local-{name}"


def test_terraform_applies_the_local_environment_against_the_emulator(compose: dict[str, Any]) -> None:
    service = compose["services"]["terraform"]
    assert service["image"].startswith("hashicorp/terraform:1.11")
    script = shell(service)
    assert "environments/local" in script
    assert "terraform init" in script
    assert "terraform apply -auto-approve" in script
    assert f"-var aws_endpoint={emulator_url(compose)}" in script
    mounts = {m.split(":")[1]: m.split(":")[0] for m in service["volumes"] if m.startswith(".")}
    artifacts = re.search(r"-var artifacts_dir=(\S+)", script)
    assert artifacts
    assert mounts[artifacts[1]] == "./dist"
    assert mounts["/src/terraform"] == "./terraform"
    assert (ROOT / "terraform" / "environments" / "local").is_dir()


def test_no_real_credentials_in_the_file() -> None:
    text = COMPOSE_FILE.read_text()
    assert not re.search(r"AKIA[0-9A-Z]{16}", text)
    for value in re.findall(r"AWS_SECRET_ACCESS_KEY:\s*(\S+)", text):
        assert value == "test"


def test_a_new_app_without_a_container_is_caught(
    compose: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for app_dir in ("services/catalog", "bff/web", "bff/authorizer"):
        (tmp_path / app_dir).mkdir(parents=True)
        (tmp_path / app_dir / "handler.py").write_text("")
    (tmp_path / "services/catalog/app.py").write_text("")
    (tmp_path / "bff/web/app.py").write_text("")  # the authorizer is a handler, not an HTTP app
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert apps() == {"catalog": "services.catalog.app:app", "web": "bff.web.app:app"}
    with pytest.raises(AssertionError, match="web"):
        test_every_app_has_a_container(compose)
