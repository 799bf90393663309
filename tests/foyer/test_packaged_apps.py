"""Every packaged app, run from its zip alone, serves every operation of its OpenAPI as the sources do.

`devtools.cli.package` leaves out what no Lambda of ours imports (PRUNED): this is the proof that it
may. Each zip is built as `make package` builds it (with wheels for this machine, to run here),
unzipped, and run by CPython 3.12 with `-I -S` from a folder outside the repository, with only the
zip's contents and the Lambda runtime's boto3 on sys.path. Every operation is called once with the
same event through the packaged handler and through the handler imported from the sources, against
the session's emulator; the statuses must match, none may be a 5xx, and no module may come from the
repository. Requests carry no valid body, so none writes (422s and 404s are answers too: the route,
its validation and its store ran).
"""

from __future__ import annotations

import importlib
import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from bff.shared.wiring import build_services
from devtools.cli import package as pkg
from devtools.devstack import apigateway
from devtools.devstack.stack import LocalStack

REPO = Path(__file__).resolve().parents[2]
APPS = pkg.discover_apps(REPO)
PATH_VALUE = "PROBE-0001"
# Where a BFF finds its services in this test: port 9 (discard), which nothing here listens on.
CLOSED_SERVICES = {name: "http://127.0.0.1:9" for name in ("catalog", "inventory", "orders", "payments")}

PROBE = """
import json, sys
task, runtime, module, events_file = sys.argv[1:5]
sys.path[0:0] = [task, runtime]
handler = __import__(module, fromlist=["handler"]).handler
statuses = [handler(event, None)["statusCode"] for event in json.load(open(events_file))]
files = sorted({getattr(m, "__file__", None) or "" for m in list(sys.modules.values())})
print(json.dumps({"statuses": statuses, "files": files}))
"""

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Each app's zip, built for this machine and unzipped; the runtime's boto3; python3.12."""
    uv, python = pkg.find_uv(REPO), pkg.find_python312()
    platform = pkg.host_platform()
    deps = pkg.ensure_dependencies(
        REPO / "build", pkg.export_requirements(REPO, uv), uv, python, platform=platform
    )
    base = tmp_path_factory.mktemp("packaged")
    tasks = {}
    for result in pkg.build_apps(REPO, APPS, deps, base / "dist", python):
        with zipfile.ZipFile(result.path) as archive:
            archive.extractall(base / result.app)
            assert not [n for n in archive.namelist() if pkg.is_pruned(n)]
        tasks[result.app] = base / result.app
    return {"python": python, "runtime": pkg.runtime_tree(REPO, uv, python, platform), "tasks": tasks}


def operation_events(openapi: dict[str, Any]) -> list[dict[str, Any]]:
    """One REST proxy event per operation: path parameters filled in, an empty JSON body on writes."""
    events = []
    for path, operations in sorted(openapi["paths"].items()):
        for method in sorted(operations):
            concrete = path
            for parameter in operations[method].get("parameters", []):
                if parameter["in"] == "path":
                    concrete = concrete.replace("{" + parameter["name"] + "}", PATH_VALUE)
            write = method in ("post", "put", "patch")
            events.append(
                apigateway.rest_event(
                    method.upper(),
                    concrete,
                    headers={"Content-Type": "application/json"} if write else None,
                    body="{}" if write else None,
                )
            )
    return events


@pytest.mark.parametrize("app", [app for app in APPS if app.serves_http], ids=lambda app: app.name)
def test_the_zip_alone_serves_every_operation(
    app: pkg.App, packaged: dict[str, Any], stack: LocalStack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = f"{app.kind}.{app.name}.handler"
    source = importlib.import_module(module)
    # Every operation, and the document itself: in Lambda its models get their validators only
    # when it is first served (foyer.deferred_openapi).
    events = [*operation_events(source.handler.app.openapi()), apigateway.rest_event("GET", "/openapi.json")]
    assert len(events) > 2  # /health, at least one route of the app's own, /openapi.json
    events_file = tmp_path / "events.json"
    events_file.write_text(json.dumps(events))
    env = {
        "PATH": "/usr/bin:/bin",
        **stack.aws_env(),
        # What Lambda sets: init runs as in Lambda (foyer.cold_start), and the BFFs call services over
        # httpx's own transport (their zips carry no aiohttp, foyer.upstream.transports).
        "AWS_LAMBDA_FUNCTION_NAME": f"foyer-test-{app.name}",
        "FOYER_STACK_FILE": "/nonexistent/stack.json",
        "FOYER_SERVICE": app.name,
        **({"TABLE_NAME": stack.tables[app.name]} if app.name in stack.tables else {}),
        # A BFF's services, where none answers: its routes that need them answer 503.
        "FOYER_SERVICE_URLS": json.dumps(CLOSED_SERVICES),
    }
    done = subprocess.run(
        [packaged["python"], "-I", "-S", "-c", PROBE, str(packaged["tasks"][app.name]),
         str(packaged["runtime"]), module, str(events_file)],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    runtime = str(packaged["runtime"]) + "/"
    from_repo = [f for f in result["files"] if f.startswith(str(REPO) + "/") and not f.startswith(runtime)]
    assert not from_repo  # only the zip, the runtime's boto3 and the standard library

    if app.kind == "bff":  # the sources' BFF over the same unreachable services
        deps = importlib.import_module(f"bff.{app.name}.deps")
        monkeypatch.setenv("FOYER_SERVICE_URLS", json.dumps(CLOSED_SERVICES))
        settings = deps.get_settings.__wrapped__()
        overrides = {deps.get_settings: lambda: settings, deps.get_services: lambda: build_services(settings)}
        source.handler.app.dependency_overrides.update(overrides)
    try:
        expected = [source.handler(event, None)["statusCode"] for event in events]
    finally:
        source.handler.app.dependency_overrides.clear()
    assert result["statuses"] == expected
    # A BFF with no service running answers 503 (dependency unavailable): its route ran.
    allowed = {503} if app.kind == "bff" else set()
    assert all(status < 500 or status in allowed for status in expected), list(
        zip([e["path"] for e in events], expected, strict=True)
    )


AUTHORIZER_PROBE = """
import json, sys
task, runtime, token = sys.argv[1:4]
sys.path[0:0] = [task, runtime]
from bff.authorizer.handler import handler
event = {"type": "TOKEN", "authorizationToken": "Bearer " + token,
         "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev/GET/orders"}
answer = handler(event, None)
try:
    handler({**event, "authorizationToken": "Bearer " + token[:-4] + "AAAA"}, None)
    refused = False
except Exception as error:
    refused = str(error) == "Unauthorized"
files = sorted({getattr(m, "__file__", None) or "" for m in list(sys.modules.values())})
print(json.dumps({"principal": answer["principalId"], "refused": refused, "files": files}))
"""


@pytest.mark.parametrize("app", [app for app in APPS if not app.serves_http], ids=lambda app: app.name)
def test_the_authorizer_zip_alone_verifies_a_token(
    app: pkg.App, packaged: dict[str, Any], tmp_path: Path
) -> None:
    from devtools.devstack.issuer import LocalIssuer

    issuer = LocalIssuer.ensure(tmp_path / "issuer")
    env = {
        "PATH": "/usr/bin:/bin",
        "AWS_LAMBDA_FUNCTION_NAME": f"foyer-test-{app.name}",
        "FOYER_STACK_FILE": "/nonexistent/stack.json",
        "FOYER_JWT_ISSUER": issuer.issuer,
        "FOYER_JWT_AUDIENCE": issuer.audience,
        "FOYER_JWKS_URL": (tmp_path / "issuer" / "jwks.json").as_uri(),
    }
    done = subprocess.run(
        [packaged["python"], "-I", "-S", "-c", AUTHORIZER_PROBE, str(packaged["tasks"][app.name]),
         str(packaged["runtime"]), issuer.mint("ada")],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert (result["principal"], result["refused"]) == ("ada", True)
    runtime = str(packaged["runtime"]) + "/"
    assert not [f for f in result["files"] if f.startswith(str(REPO) + "/") and not f.startswith(runtime)]
    assert not [f for f in result["files"] if "/fastapi/" in f or "/starlette/" in f]  # no web framework
    # Nor pydantic: the zip does not carry it (CARRIES_ONLY), so the verification above ran without it.
    assert not list(packaged["tasks"][app.name].glob("pydantic*"))
