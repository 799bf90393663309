"""foyer.deferred_openapi: FastAPI's OpenAPI models declared without their validators, same documents.

Each case runs in a fresh interpreter: this test process imported FastAPI long ago.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]

# An app with a route of each kind the documents describe (path, query, body, response model), then
# which OpenAPI models have their validators after import, and the document the app serves.
PROBE = """
import json, sys
from pydantic import BaseModel
pydantics_own = BaseModel.__dict__["model_rebuild"]
from foyer import deferred_openapi
installed = deferred_openapi.install() if sys.argv[1] == "deferred" else False
import fastapi.openapi.models as models
from fastapi.testclient import TestClient
from pydantic import BaseModel
from foyer.app import create_app

restored = BaseModel.__dict__["model_rebuild"] is pydantics_own
built_at_import = sorted(
    name for name, value in vars(models).items()
    if isinstance(value, type) and issubclass(value, BaseModel) and value.__pydantic_complete__
)

def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)

unbuilt_elsewhere = sorted(
    f"{c.__module__}.{c.__qualname__}" for c in subclasses(BaseModel)
    if c.__module__ != models.__name__ and not c.__pydantic_complete__
)

class Item(BaseModel):
    name: str
    price: int

app = create_app("probe", title="probe")

@app.post("/items/{item_id}", status_code=201)
async def put(item_id: str, item: Item, dry_run: bool = False) -> Item:
    return item

document = TestClient(app).get("/openapi.json").json()
print(json.dumps({"installed": installed, "restored": restored, "built_at_import": built_at_import,
                  "unbuilt_elsewhere": unbuilt_elsewhere, "document": document}))
"""


def _probe(mode: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])  # after the app's own log lines
    return result


def test_the_document_models_are_declared_without_their_validators() -> None:
    usual, deferred = _probe("usual"), _probe("deferred")
    assert deferred["installed"]
    assert "Contact" in usual["built_at_import"]
    assert "OpenAPI" in usual["built_at_import"]
    # Only what FastAPI's security classes instantiate at import (a default argument) is built.
    assert deferred["built_at_import"] == ["OAuthFlows"]
    # pydantic is as it was, and no model of any other module is left without its validator.
    assert deferred["restored"]
    assert deferred["unbuilt_elsewhere"] == usual["unbuilt_elsewhere"]


def test_the_served_document_is_the_same() -> None:
    usual, deferred = _probe("usual"), _probe("deferred")
    assert deferred["document"] == usual["document"]
    assert "/items/{item_id}" in deferred["document"]["paths"]


def test_installing_after_fastapi_was_imported_defers_nothing() -> None:
    import fastapi  # noqa: F401 - this process has it, as any test process does

    from foyer import deferred_openapi

    assert deferred_openapi.install() is False
