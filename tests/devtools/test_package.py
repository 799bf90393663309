"""`devtools.cli.package`: deterministic Lambda zips with the right contents."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from devtools.cli.package import (
    App,
    build_apps,
    carried_by,
    discover_apps,
    ensure_dependencies,
    export_requirements,
    find_python312,
    find_uv,
    is_pruned,
    zip_bytes,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def toolchain() -> tuple[str, Path]:
    """python3.12 and the real (cached) dependency tree from uv.lock, as `make package` builds it."""
    uv, python = find_uv(REPO), find_python312()
    return python, ensure_dependencies(REPO / "build", export_requirements(REPO, uv), uv, python)


def fake_tree(root: Path) -> Path:
    files = {
        "foyer/__init__.py": "",
        "foyer/util.py": "VALUE = 1\n",
        "devtools/devstack/__init__.py": "import moto\n",
        "services/__init__.py": "",
        "services/alpha/__init__.py": "",
        "services/alpha/handler.py": "def handler(event, context):\n    return 'alpha'\n",
        "services/alpha/app.py": "app = None\n",
        "services/beta/__init__.py": "",
        "services/beta/handler.py": "def handler(event, context):\n    return 'beta'\n",
        "services/beta/README.md": "not an app by itself\n",
        "bff/__init__.py": "",
        "bff/web/__init__.py": "",
        "bff/web/handler.py": "def handler(event, context):\n    return 'web'\n",
        "bff/web/views.py": "",
        "bff/web/app.py": "app = None\n",
        "services/shared_lib/__init__.py": "",  # no handler.py: not an app
        # Stale bytecode of the dev interpreter must never reach a zip.
        "services/alpha/__pycache__/handler.cpython-311.pyc": "stale",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_discovers_apps_with_a_handler_and_which_serve_http(tmp_path: Path) -> None:
    root = fake_tree(tmp_path)
    assert discover_apps(root) == [
        App("alpha", "services"),
        App("beta", "services", serves_http=False),  # no app.py beside its handler (an authorizer's shape)
        App("web", "bff"),
    ]


def test_zips_are_byte_identical_and_hold_only_their_app(tmp_path: Path, toolchain: tuple[str, Path]) -> None:
    python, deps = toolchain
    root = fake_tree(tmp_path / "src")
    apps = discover_apps(root)
    first = {r.app: r for r in build_apps(root, apps, deps, tmp_path / "dist1", python)}
    for path in root.rglob("*.py"):  # new mtimes must not change a single byte
        os.utime(path, (1_700_000_000, 1_700_000_000))
    second = {r.app: r for r in build_apps(root, apps, deps, tmp_path / "dist2", python)}

    for name in ("alpha", "beta", "web"):
        assert (tmp_path / "dist1" / f"{name}.zip").read_bytes() == (
            tmp_path / "dist2" / f"{name}.zip"
        ).read_bytes()
        assert first[name].sha256 == second[name].sha256

    names = zipfile.ZipFile(tmp_path / "dist1" / "alpha.zip").namelist()
    tops = {name.split("/")[0] for name in names}
    assert not {"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six.py", "urllib3"} & tops
    assert {"fastapi", "pydantic", "pydantic_core", "mangum", "httpx"} <= tops
    assert "services/alpha/handler.py" in names
    assert "services/alpha/__pycache__/handler.cpython-312.pyc" in names
    assert "services/__init__.py" in names
    assert "foyer/util.py" in names
    assert "foyer/__pycache__/util.cpython-312.pyc" in names
    assert any(
        name.startswith("pydantic/__pycache__/") and name.endswith(".cpython-312.pyc") for name in names
    )
    assert not [name for name in names if name.startswith(("services/beta", "bff/", "devtools/devstack"))]
    assert not [name for name in names if "cpython-311" in name or name.startswith("services/shared_lib")]

    web = zipfile.ZipFile(tmp_path / "dist1" / "web.zip").namelist()
    assert "bff/web/handler.py" in web
    assert "bff/__init__.py" in web
    assert not [name for name in web if name.startswith("services/")]


def test_unchanged_zip_is_not_rewritten(tmp_path: Path, toolchain: tuple[str, Path]) -> None:
    python, deps = toolchain
    root = fake_tree(tmp_path / "src")
    apps = [App("alpha", "services")]
    (built,) = build_apps(root, apps, deps, tmp_path / "dist", python)
    assert built.changed
    (again,) = build_apps(root, apps, deps, tmp_path / "dist", python)
    assert not again.changed
    (root / "services" / "alpha" / "handler.py").write_text("def handler(event, context):\n    return 2\n")
    (changed,) = build_apps(root, apps, deps, tmp_path / "dist", python)
    assert changed.changed
    assert changed.sha256 != built.sha256


def test_zip_entries_are_normalised(tmp_path: Path) -> None:
    (tmp_path / "b.py").write_text("B = 1\n")
    (tmp_path / "a.py").write_text("A = 1\n")
    data = zip_bytes({"pkg/b.py": tmp_path / "b.py", "pkg/a.py": tmp_path / "a.py"})
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert [info.filename for info in infos] == ["pkg/", "pkg/a.py", "pkg/b.py"]
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert infos[0].external_attr >> 16 == 0o040755
    assert {info.external_attr >> 16 for info in infos[1:]} == {0o100644}
    assert {info.compress_type for info in infos[1:]} == {zipfile.ZIP_DEFLATED}


@pytest.mark.parametrize(
    ("name", "pruned"),
    [
        ("pydantic/v1/main.py", True),
        ("pydantic/v1/__pycache__/main.cpython-312.pyc", True),
        ("pydantic/mypy.py", True),
        ("pydantic/__pycache__/mypy.cpython-312.pyc", True),
        ("fastapi/testclient.py", True),
        ("starlette/__pycache__/testclient.cpython-312.pyc", True),
        ("pydantic/main.py", False),
        ("pydantic/v1.py", False),  # only the package pydantic/v1/ is left out
        ("pydantic/mypy_extra.py", False),
        ("pydantic/__pycache__/mypy_extra.cpython-312.pyc", False),
        ("fastapi/testclients/x.py", False),
    ],
)
def test_what_is_left_out_of_every_zip(name: str, pruned: bool) -> None:
    assert is_pruned(name) is pruned


def test_the_real_zips_leave_out_what_no_lambda_imports(tmp_path: Path, toolchain: tuple[str, Path]) -> None:
    python, deps = toolchain
    root = fake_tree(tmp_path / "src")
    (result, *_) = build_apps(root, discover_apps(root), deps, tmp_path / "dist", python)
    names = zipfile.ZipFile(result.path).namelist()
    assert "pydantic/main.py" in names
    assert not [n for n in names if n.startswith("pydantic/v1/") or "testclient" in n]


@pytest.mark.parametrize(
    ("name", "app", "carried"),
    [
        ("cryptography/x509/base.py", "catalog", False),
        ("cryptography-50.0.2.dist-info/RECORD", "web", False),
        ("_cffi_backend.cpython-312-aarch64-linux-gnu.so", "orders", False),
        ("joserfc/jwt.py", "partner", False),
        ("joserfc/jwt.py", "authorizer", True),
        ("fastapi/applications.py", "catalog", True),
        ("cryptographyx/__init__.py", "catalog", True),  # only whole distribution names match
        ("aiohttp/client.py", "web", False),  # the BFFs' uvicorn transport; httpx's own in Lambda
        ("aiohttp-3.14.5.dist-info/RECORD", "partner", False),
        ("httpx_aiohttp/transport.py", "mobile", False),
        ("aiohttp/client.py", "catalog", False),
        ("purgatory/__init__.py", "web", True),
        ("sniffio/__init__.py", "partner", True),
        ("sniffio/__init__.py", "catalog", False),
        ("yarl/_url.py", "orders", False),
        ("purgatory/__init__.py", "authorizer", False),
        # The authorizer carries only what it imports (CARRIES_ONLY): no web stack, no cffi package.
        ("fastapi/applications.py", "authorizer", False),
        ("starlette/routing.py", "authorizer", False),
        ("mangum/adapter.py", "authorizer", False),
        ("anyio/__init__.py", "authorizer", False),
        ("cffi/__init__.py", "authorizer", False),
        ("pycparser/c_parser.py", "authorizer", False),
        ("_cffi_backend.cpython-312-aarch64-linux-gnu.so", "authorizer", True),
        ("cryptography/hazmat/bindings/_rust.abi3.so", "authorizer", True),
        # Nor pydantic and what only it needs: the authorizer reads its settings without it.
        ("pydantic/main.py", "authorizer", False),
        ("pydantic_core-2.50.5.dist-info/RECORD", "authorizer", False),
        ("annotated_types/__init__.py", "authorizer", False),
        ("typing_inspection/introspection.py", "authorizer", False),
        ("typing_extensions.py", "authorizer", False),
        ("__pycache__/typing_extensions.cpython-312.pyc", "authorizer", False),
        ("pydantic/main.py", "catalog", True),
        ("__pycache__/typing_extensions.cpython-312.pyc", "catalog", True),
        # email-validator parses addresses where they enter; its DNS check is never run.
        ("email_validator/syntax.py", "orders", True),
        ("email_validator/syntax.py", "web", True),
        ("dns/resolver.py", "orders", False),
        ("dnspython-2.9.2.dist-info/RECORD", "notifications", False),
    ],
)
def test_app_specific_dependencies_are_carried_by_their_apps_only(name: str, app: str, carried: bool) -> None:
    assert carried_by(name, app) is carried
