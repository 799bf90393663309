"""foyer.cold_start: in Lambda, init runs without cyclic collection and what it built is frozen,
and FastAPI's OpenAPI models are declared without their validators."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.cli import package as pkg
from foyer.cold_start import init_phase

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def environment_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """What init_phase sets in os.environ is undone after each test."""
    monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS", raising=False)


@pytest.fixture
def gc_restored() -> Iterator[None]:
    yield
    gc.unfreeze()  # frozen objects go back to the oldest generation: this test process stays as it was
    gc.enable()


@pytest.mark.usefixtures("gc_restored")
def test_in_lambda_init_runs_without_collection_and_its_objects_are_frozen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "foyer-probe")
    frozen = gc.get_freeze_count()
    with init_phase():
        assert not gc.isenabled()
        built = [object() for _ in range(10)]  # noqa: F841 - lives on, as what init builds does
    assert gc.isenabled()
    assert gc.get_freeze_count() > frozen


@pytest.mark.usefixtures("gc_restored")
def test_a_failed_init_turns_collection_back_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "foyer-probe")
    with pytest.raises(ImportError), init_phase():
        raise ImportError("a broken import")
    assert gc.isenabled()


@pytest.mark.usefixtures("gc_restored")
def test_outside_lambda_nothing_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    frozen = gc.get_freeze_count()
    with init_phase():
        assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


@pytest.mark.usefixtures("gc_restored")
def test_collection_turned_off_by_the_caller_stays_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "foyer-probe")
    gc.disable()
    frozen = gc.get_freeze_count()
    with init_phase():
        pass
    assert not gc.isenabled()
    assert gc.get_freeze_count() == frozen


@pytest.mark.parametrize("app", pkg.discover_apps(REPO), ids=lambda app: app.name)
def test_every_handler_initialises_inside_the_init_phase(app: pkg.App, tmp_path: Path) -> None:
    # A fresh interpreter, as Lambda starts one: after `import handler`, collection is back on and
    # skips what init built (a handler that bypassed init_phase would leave nothing frozen).
    code = (
        f"import gc, json, sys, {app.kind}.{app.name}.handler as h; "
        "models = sys.modules.get('fastapi.openapi.models'); "
        "deferred = models is None or not models.Contact.__pydantic_complete__; "
        "print(json.dumps([gc.isenabled(), gc.get_freeze_count(), deferred]))"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(REPO),
        "AWS_LAMBDA_FUNCTION_NAME": f"foyer-test-{app.name}",
        "FOYER_SERVICE": app.name,
        "TABLE_NAME": f"foyer-test-{app.name}",
        "FOYER_STACK_FILE": str(tmp_path / "absent.json"),
        # The authorizer's issuer (read at init in Lambda; its keys are fetched on first use).
        "FOYER_JWT_ISSUER": "https://issuer.example",
        "FOYER_JWT_AUDIENCE": "foyer-bff",
        "FOYER_JWKS_URL": (tmp_path / "jwks.json").as_uri(),
    }
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    enabled, frozen, openapi_models_deferred = json.loads(done.stdout.splitlines()[-1])
    assert enabled
    assert openapi_models_deferred  # foyer.deferred_openapi
    assert frozen > 10_000  # the app, FastAPI and pydantic (the authorizer's joserfc): tens of thousands


@pytest.mark.usefixtures("gc_restored")
def test_in_lambda_pydantic_looks_for_no_plugins_unless_the_environment_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "foyer-probe")
    with init_phase():
        pass
    assert os.environ["PYDANTIC_DISABLE_PLUGINS"] == "__all__"
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "")  # the function's environment turns them on
    with init_phase():
        pass
    assert os.environ["PYDANTIC_DISABLE_PLUGINS"] == ""
