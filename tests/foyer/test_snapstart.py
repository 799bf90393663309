"""foyer.snapstart: the hooks register through snapshot_restore_py, run, and leave an app that serves."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import snapshot_restore_py
from fastapi import APIRouter

from devtools.devstack import apigateway
from foyer import aws, snapstart
from foyer.app import create_app
from foyer.lambda_glue import LambdaAdapter, make_handler

REPO = Path(__file__).resolve().parents[2]


def _app_handler() -> LambdaAdapter:
    router = APIRouter()

    @router.get("/dice")
    async def dice() -> dict[str, int]:
        return {"roll": random.randint(1, 6)}

    return make_handler(create_app("probe", title="probe", routers=[router]))


def _serve(adapter: LambdaAdapter, path: str) -> dict[str, Any]:
    response = adapter(apigateway.rest_event("GET", path), None)
    assert response["statusCode"] == 200, response
    return dict(json.loads(response["body"]))


def test_make_handler_registers_both_hooks_with_the_runtime() -> None:
    adapter = _app_handler()
    try:
        before = [(f, a) for f, a, _ in snapshot_restore_py.get_before_snapshot() if a and a[0] is adapter]
        after = [f for f, _, _ in snapshot_restore_py.get_after_restore()]
        assert before == [(snapstart.before_snapshot, (adapter, "/health"))]
        assert snapstart.after_restore in after
    finally:
        adapter.shutdown()


def test_after_both_hooks_the_app_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    adapter = _app_handler()
    try:
        started: list[str] = []
        monkeypatch.setattr(aws, "_clients", {"dynamodb": object()})
        # What the runtime does: every registered hook with its arguments, before then after.
        for func, args, kwargs in snapshot_restore_py.get_before_snapshot():
            if args and args[0] is adapter:
                func(*args, **kwargs)
                started.append("before")
        assert adapter._lifespan is not None  # the snapshot holds a started app
        assert "boto3" in sys.modules
        random.seed(7)
        snapshot_state = random.getstate()
        for func, args, kwargs in snapshot_restore_py.get_after_restore():
            func(*args, **kwargs)
        assert started == ["before"]
        assert random.getstate() != snapshot_state  # restored copies do not share a sequence
        assert aws._clients == {}  # made again on first use, with new pools and credentials
        assert _serve(adapter, "/health")["status"] == "ok"
        assert 1 <= _serve(adapter, "/dice")["roll"] <= 6
    finally:
        adapter.shutdown()


def test_a_warm_up_that_fails_stops_the_snapshot() -> None:
    adapter = make_handler(create_app("probe", title="probe"))
    try:
        with pytest.raises(RuntimeError, match=r"GET /nowhere answered 404"):
            snapstart.before_snapshot(adapter, "/nowhere")
    finally:
        adapter.shutdown()


ABSENT_PROBE = """
import sys
sys.modules["snapshot_restore_py"] = None  # what `import` meets where the runtime does not provide it
from foyer import snapstart
from foyer.app import create_app
from foyer.lambda_glue import make_handler

handler = make_handler(create_app("probe", title="probe"))
snapstart.before_snapshot(handler)
snapstart.after_restore()
print("served", handler(snapstart.warm_event(), None)["statusCode"])
"""


def test_without_snapshot_restore_py_the_code_still_runs() -> None:
    env = {"PATH": "/usr/bin:/bin", "FOYER_STACK_FILE": "/nonexistent/stack.json", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", ABSENT_PROBE], env=env, cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "served 200" in done.stdout
