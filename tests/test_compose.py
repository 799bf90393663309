"""docker-compose.yml: valid Compose, offline, and in step with the apps map.

No Docker needed: the file is checked against the Compose Specification's JSON schema vendored by
check-jsonschema; its app containers are what `make package` writes from the apps map (locals.apps
in terraform/modules/platform/main.tf), and that agrees with the session apply's outputs: every app
has a container running its app module on its declared port with its table, and nothing else does.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml  # type: ignore[import-untyped]

from devtools.cli import compose as writer
from devtools.devstack.emulator import EMULATOR_PORT
from devtools.terraform_source import read_topology
from foyer.stack_file import LocalStack

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")


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


# --------------------------------------------------------------------------- the apps map


def test_the_app_containers_are_what_make_package_writes_from_the_apps_map() -> None:
    text = COMPOSE_FILE.read_text()
    assert text == writer.generate(text, read_topology(ROOT / "terraform").apps), "run `make package`"


def test_a_new_app_gets_its_container_and_check_reports_the_stale_file(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text(COMPOSE_FILE.read_text())
    terraform = tmp_path / "terraform" / "modules" / "platform"
    shutil.copytree(ROOT / "terraform" / "modules" / "platform", terraform)
    main = terraform / "main.tf"
    entry = '    wishlists = {\n      handler = "services.wishlists.handler.handler"\n      port    = 8150\n'
    entry += '      table   = null\n      actions = []\n      calls   = ["catalog"]\n    }\n'
    main.write_text(main.read_text().replace("\n  apps = {\n", "\n  apps = {\n" + entry, 1))
    assert writer.main(["--check", "--root", str(tmp_path)]) == 1
    assert writer.main(["--root", str(tmp_path)]) == 0
    wishlists = load(tmp_path / "docker-compose.yml")["services"]["wishlists"]
    assert published(wishlists) == [(8150, 8150)]
    assert environment(wishlists)["APP"] == "services.wishlists.app:app"
    assert environment(wishlists)["FOYER_SERVICE_URLS"] == '{"catalog": "http://catalog:8101"}'
    assert "TABLE_NAME" not in environment(wishlists)
    assert writer.main(["--check", "--root", str(tmp_path)]) == 0


def test_a_file_without_the_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="BEGIN apps"):
        writer.generate("services:\n", read_topology(ROOT / "terraform").apps)


def app_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The containers that run an app (they set APP)."""
    return {name: s for name, s in compose["services"].items() if "APP" in environment(s)}


def disagreements(compose: dict[str, Any], stack: LocalStack) -> list[str]:
    """Every way docker-compose.yml's app containers differ from the apps Terraform declares."""
    found: list[str] = []
    containers = app_services(compose)
    for name in sorted(stack.ports.keys() - containers.keys()):
        found.append(f"{name}: in the apps map but has no container")
    for name in sorted(containers.keys() - stack.ports.keys()):
        found.append(f"{name}: a container that is not in the apps map")
    for name in sorted(containers.keys() & stack.ports.keys()):
        env, port = environment(containers[name]), stack.port(name)
        expected = {
            "APP": stack.app_modules[name],
            "PORT": str(port),
            "FOYER_SERVICE": name,
            "TABLE_NAME": stack.tables.get(name),
        }
        for key, value in expected.items():
            if env.get(key) != value:
                found.append(f"{name}: {key} is {env.get(key)!r}, the apps map says {value!r}")
        if published(containers[name]) != [(port, port)]:
            found.append(f"{name}: publishes {published(containers[name])}, the apps map says {port}:{port}")
    return found


@pytest.mark.integration
def test_the_app_containers_are_exactly_the_apps_map(compose: dict[str, Any], stack: LocalStack) -> None:
    assert disagreements(compose, stack) == []


@pytest.mark.integration
@pytest.mark.parametrize(
    ("breakage", "named"),
    [
        (lambda d: d["services"].pop("inventory"), "inventory: in the apps map but has no container"),
        (
            lambda d: d["services"].update(carts=copy.deepcopy(d["services"]["catalog"])),
            "carts: a container that is not in the apps map",
        ),
        (lambda d: d["services"]["catalog"]["environment"].update(PORT="8102"), "catalog: PORT is '8102'"),
        (lambda d: d["services"]["catalog"].update(ports=["8111:8101"]), "catalog: publishes [(8111, 8101)]"),
        (
            lambda d: d["services"]["inventory"]["environment"].update(APP="services.catalog.app:app"),
            "inventory: APP is 'services.catalog.app:app', the apps map says 'services.inventory.app:app'",
        ),
        (
            lambda d: d["services"]["inventory"]["environment"].update(TABLE_NAME="foyer-local-stock"),
            "inventory: TABLE_NAME is 'foyer-local-stock'",
        ),
        (
            lambda d: d["services"]["catalog"]["environment"].pop("FOYER_SERVICE"),
            "catalog: FOYER_SERVICE is None",
        ),
    ],
    ids=["missing", "extra", "port", "published", "app module", "table", "service name"],
)
def test_each_disagreement_is_named(
    compose: dict[str, Any], stack: LocalStack, breakage: Any, named: str
) -> None:
    broken = copy.deepcopy(compose)
    breakage(broken)
    assert any(line.startswith(named) for line in disagreements(broken, stack)), disagreements(broken, stack)


@pytest.mark.integration
def test_an_app_without_a_table_must_not_name_one(compose: dict[str, Any], stack: LocalStack) -> None:
    without = stack.model_copy(update={"tables": {k: v for k, v in stack.tables.items() if k != "catalog"}})
    assert disagreements(compose, without) == [
        "catalog: TABLE_NAME is 'foyer-local-catalog', the apps map says None"
    ]


def test_only_the_emulator_and_the_apps_publish_ports(compose: dict[str, Any]) -> None:
    assert published(compose["services"]["emulator"])[0][0] == EMULATOR_PORT
    others = set(compose["services"]) - set(app_services(compose)) - {"emulator"}
    assert [name for name in sorted(others) if published(compose["services"][name])] == []


# --------------------------------------------------------------------------- every app container


def test_each_app_listens_on_its_port_and_checks_its_health(compose: dict[str, Any]) -> None:
    for name, service in app_services(compose).items():
        assert service["image"].startswith("python:3.12"), name
        test = " ".join(service["healthcheck"]["test"])
        assert "/health" in test
        assert "PORT" in test
        entry = shell(service)
        assert "uvicorn" in entry
        assert "--host 0.0.0.0" in entry
        assert '--port "$PORT"' in entry
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
        assert not Path(env["FOYER_STACK_FILE"]).exists()


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
