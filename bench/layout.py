"""What the Lambda benchmarks import: the catalog's packaged contents and a bare baseline beside them.

Preferred ("host package"): `foyer.cli.package` builds the catalog zip exactly as `make package` does
(locked runtime deps minus boto3 and its deps, foyer and the app, bytecode compiled by CPython 3.12)
but with wheels for this machine's platform instead of arm64; it is unzipped into a temp dir and run
by CPython 3.12 with `-I -S` and sys.path = [task dir, runtime dir], like /var/task and /var/runtime
in Lambda (the runtime dir holds the locked boto3 and its deps, which the Lambda runtime provides).
The bare baseline runs with the same interpreter and the same task dir as its site-packages.

Fallback ("venv sources"): when that cannot be built (no python3.12, no uv, no network), foyer and
the app's sources are staged into a temp dir in front of this .venv's site-packages.
"""

from __future__ import annotations

import hashlib
import platform
import shutil
import subprocess
import sys
import tempfile
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

BARE_MODULE = "bench_bare_handler"
BARE_OFF_MODULE = "bench_bare_lifespan_off_handler"
STANDIN_MODULE = "bench_standin_handler"

BARE_SOURCE = """\
from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


handler = Mangum(app)
"""

STANDIN_SOURCE = """\
from foyer.app import create_app
from foyer.lambda_glue import make_handler

app = create_app("catalog", title="stand-in catalog")
handler = make_handler(app)
"""


@dataclass
class Layout:
    mode: str
    python: str
    flags: list[str]
    foyer_paths: list[str]
    bare_paths: list[str]
    foyer_module: str
    description: list[str] = field(default_factory=list)


def _write_bare(directory: Path) -> None:
    (directory / f"{BARE_MODULE}.py").write_text(BARE_SOURCE)
    off = BARE_SOURCE.replace("Mangum(app)", 'Mangum(app, lifespan="off")')
    (directory / f"{BARE_OFF_MODULE}.py").write_text(off)


def _host_platform() -> str:
    machine = platform.machine().lower()
    return "aarch64-manylinux2014" if machine in {"aarch64", "arm64"} else "x86_64-manylinux2014"


def _runtime_dir(root: Path, uv: str, python: str, plat: str, provided: frozenset[str]) -> Path:
    """boto3 and its deps at their locked versions: what the Lambda runtime puts on sys.path."""
    exported = subprocess.run(
        [uv, "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project", "--no-header"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    wanted = sorted(
        line.strip()
        for line in exported.splitlines()
        if line.strip() and line.split("==")[0].strip().lower().replace("_", "-") in provided
    )
    key = hashlib.sha256(f"{plat}|{'|'.join(wanted)}".encode()).hexdigest()[:16]
    target = root / "build" / "bench-runtime" / key
    if not target.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="runtime.", dir=target.parent))
        reqs = work / "requirements.txt"
        reqs.write_text("\n".join(wanted) + "\n")
        subprocess.run(
            [uv, "pip", "install", "--quiet", "--no-deps", "--target", str(work / "tree"),
             "--python", python, "--python-platform", plat, "--python-version", "3.12",
             "--only-binary", ":all:", "-r", str(reqs)],
            check=True,
            capture_output=True,
        )  # fmt: skip
        (work / "tree").rename(target)
        shutil.rmtree(work, ignore_errors=True)
    return target


def host_package(root: Path, tmp: Path) -> Layout:
    from foyer.cli import package as pkg

    uv, python = pkg.find_uv(root), pkg.find_python312()
    plat = _host_platform()
    requirements = pkg.export_requirements(root, uv)
    # The one difference from `make package`: wheels for this machine.
    deps = pkg.ensure_dependencies(root / "build", requirements, uv, python, platform=plat)
    apps = [app for app in pkg.discover_apps(root) if app.name == "catalog"]
    if not apps:
        raise FileNotFoundError("services/catalog/handler.py")
    (result,) = pkg.build_apps(root, apps, deps, tmp / "dist", python)
    task = tmp / "task"
    with zipfile.ZipFile(result.path) as archive:
        archive.extractall(task)
    runtime = _runtime_dir(root, uv, python, plat, pkg.RUNTIME_PROVIDED)
    bare = tmp / "bare"
    bare.mkdir()
    _write_bare(bare)
    return Layout(
        mode="host package",
        python=python,
        flags=["-I", "-S"],
        foyer_paths=[str(task), str(runtime)],
        bare_paths=[str(bare), str(task), str(runtime)],
        foyer_module="services.catalog.handler",
        description=[
            f"foyer: services.catalog.handler from the catalog zip built by foyer.cli.package for "
            f"{plat} (make package builds {pkg.PLATFORM}), {result.files} files, "
            f"{result.unzipped_size / 1e6:.1f} MB unzipped",
            "baseline: FastAPI() + one async route + Mangum(app), the same deps from the same task dir",
            f"interpreter: {python} -I -S; sys.path = [task, runtime (locked boto3 & deps)] + stdlib",
        ],
    )


def venv_sources(root: Path, tmp: Path, reason: str) -> Layout:
    task = tmp / "task"
    ignore = shutil.ignore_patterns("__pycache__", "devstack", "cli")
    shutil.copytree(root / "foyer", task / "foyer", ignore=ignore)
    catalog = root / "services" / "catalog" / "handler.py"
    if catalog.exists():
        shutil.copytree(root / "services" / "catalog", task / "services" / "catalog", ignore=ignore)
        (task / "services" / "__init__.py").write_text("")
        module = "services.catalog.handler"
    else:
        (task / f"{STANDIN_MODULE}.py").write_text(STANDIN_SOURCE)
        module = STANDIN_MODULE
    bare = tmp / "bare"
    bare.mkdir()
    _write_bare(bare)
    return Layout(
        mode="venv sources",
        python=sys.executable,
        flags=["-I"],
        foyer_paths=[str(task)],
        bare_paths=[str(bare)],
        foyer_module=module,
        description=[
            f"host package unavailable ({reason})",
            f"foyer: {module} from sources staged like the zip, deps from {sys.prefix}",
            "baseline: FastAPI() + one async route + Mangum(app) from the same site-packages",
        ],
    )


def prepare(root: Path, stack: ExitStack) -> Layout:
    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="foyer-bench-")))
    try:
        return host_package(root, tmp)
    except Exception as exc:  # any failure to build: measure what we can, and say so
        for leftover in ("task", "bare", "dist"):
            shutil.rmtree(tmp / leftover, ignore_errors=True)
        return venv_sources(root, tmp, f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}")
