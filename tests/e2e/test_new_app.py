"""A new service is its folder plus one apps-map entry: in a copy of the repository, nothing else edited.

The copy holds the repository's tracked files, a new empty service built with foyer.app.create_app
and one entry in locals.apps of terraform/modules/platform/main.tf. Packaged as `make package` does
(the zips, then docker-compose.yml's app containers) and started as a developer would (the dev
stack), it answers `/health` on the port its entry declares, with its own table; the copy passes
`make lint` and the checks of what follows from the apps map (compose, import contracts, edges).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_compose import disagreements, load

from devtools.devstack.stack import ROOT
from e2e.devstack import RunningStack, start

pytestmark = pytest.mark.integration
OFFSET = 2000  # beside a developer's `make dev` (0) and tests/e2e/test_devstack.py (1000)
NAME = "reviews"
PORT = 8106
FILES = {
    f"services/{NAME}/__init__.py": f'"""The {NAME} service: an empty one, as a developer starts it."""\n',
    f"services/{NAME}/app.py": (
        f'from foyer.app import create_app\n\napp = create_app("{NAME}", title="Foyer {NAME}")\n'
    ),
    f"services/{NAME}/handler.py": (
        "from foyer.lambda_glue import make_handler\n"
        f"from services.{NAME}.app import app\n\n"
        "handler = make_handler(app)\n"
    ),
}
ENTRY = f"""
    {NAME} = {{
      handler = "services.{NAME}.handler.handler"
      port    = {PORT}
      table = {{
        hash_key                 = "pk"
        attributes               = [{{ name = "pk", type = "S" }}]
        global_secondary_indexes = []
      }}
      actions = ["dynamodb:GetItem"]
    }}
"""
APPS_MAP = "terraform/modules/platform/main.tf"
# Build caches, not sources: uv from `make install` and the dependency tree `make package` built
# for this uv.lock, so the copy packages in seconds instead of downloading every wheel again.
CACHES = (".tools", "build")
# What `make package` runs (the Makefile's recipe, without its `install` prerequisite).
PACKAGE = (("devtools.cli.package",), ("devtools.cli.compose",))
# The tests that check what follows from the apps map, without a stack.
CHECKS = ("tests/test_compose.py", "tests/test_import_contracts.py", "tests/terraform/test_apps_map.py")


def copy_tracked_files(destination: Path) -> None:
    """The working tree's version of every file git tracks (so uncommitted work is what is tested)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())


def add_the_service(repo: Path) -> None:
    """Its folder and one entry in the apps map: the whole of what adding a service takes."""
    for name, text in FILES.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    apps_map = repo / APPS_MAP
    text = apps_map.read_text()
    assert text.count("\n  apps = {\n") == 1, f"the apps map is no longer `apps = {{` in {APPS_MAP}"
    apps_map.write_text(text.replace("\n  apps = {\n", "\n  apps = {" + ENTRY, 1))


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The copy, with the service added and packaged as `make package` does."""
    repo = tmp_path_factory.mktemp("repo")
    copy_tracked_files(repo)
    add_the_service(repo)
    # A clone is a git repository (actionlint, in `make lint`, looks for one).
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    for cache in CACHES:
        if (ROOT / cache).is_dir():
            (repo / cache).symlink_to(ROOT / cache)
    # cwd first on sys.path: `python -m` runs the copy's foyer, not the repository's editable install.
    for module in PACKAGE:
        packaged = subprocess.run(
            [sys.executable, "-m", *module], cwd=repo, capture_output=True, text=True, check=False
        )
        assert packaged.returncode == 0, packaged.stdout + packaged.stderr
    assert (repo / "dist" / f"{NAME}.zip").is_file()
    return repo


@pytest.fixture(scope="module")
def with_new_service(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    state_dir = tmp_path_factory.mktemp("new-service-stack")
    argv = [sys.executable, "-m", "devtools.devstack", "--state-dir", str(state_dir)]
    running = start([*argv, "--port-offset", str(OFFSET), "--no-seed"], cwd=repo, state_dir=state_dir)
    yield running
    running.interrupt()
    running.kill()


def test_the_new_service_answers_health_on_its_declared_port(with_new_service: RunningStack) -> None:
    described = with_new_service.description
    assert (described.ports[NAME], described.port_offset) == (PORT + OFFSET, OFFSET)
    assert described.apps[NAME] == f"http://127.0.0.1:{PORT + OFFSET}"
    response = httpx.get(f"http://127.0.0.1:{PORT + OFFSET}/health", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": NAME}


def test_the_new_service_gets_its_own_table_and_the_others_keep_theirs(
    with_new_service: RunningStack,
) -> None:
    described = with_new_service.description
    assert described.tables[NAME] == f"foyer-local-{NAME}"
    assert {"catalog", "inventory", NAME} <= described.apps.keys()
    for name, url in described.apps.items():
        assert httpx.get(f"{url}/health", timeout=5).json()["service"] == name


def test_the_copy_passes_make_lint(repo: Path) -> None:
    # The repository's environment (`-o install`: the copy's uv.lock is the same, no sync needed).
    linted = subprocess.run(
        ["make", "-o", "install", f"VENV={ROOT / '.venv'}", "lint"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert linted.returncode == 0, linted.stdout[-4000:] + linted.stderr[-4000:]


def test_the_apps_map_checks_pass_in_the_copy(repo: Path) -> None:
    checked = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not integration", *CHECKS],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout[-4000:] + checked.stderr[-4000:]


def test_the_copys_compose_file_runs_the_new_service_as_its_stack_does(
    repo: Path, with_new_service: RunningStack
) -> None:
    described = with_new_service.description
    compose = load(repo / "docker-compose.yml")
    assert NAME in compose["services"]
    assert disagreements(compose, described.shifted(-described.port_offset)) == []
