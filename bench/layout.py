"""What the Lambda benchmarks run: every app's packaged contents, and a bare app beside them.

Each app's zip is built by `devtools.cli.package` exactly as `make package` builds it (locked runtime
deps minus boto3 and its deps and minus what no Lambda imports, foyer and the app, bytecode compiled by
CPython 3.12), once with wheels for this machine's platform, to run here, and once for the Lambda's
(arm64), to weigh. The host zip is unzipped into a read-only folder and run by CPython 3.12 with
`-I -S` and sys.path = [task dir, runtime dir], like /var/task and /var/runtime in Lambda (the runtime
dir holds the locked boto3 and its deps, which the Lambda runtime provides).

The baseline is what a user would write by hand and ship: `FastAPI()` with one async route, wrapped
by `Mangum(app)`, over fastapi, mangum and pydantic with their dependencies at the versions uv.lock
pins (the same dependency tree, as pip would install it: nothing left out), compiled the same way.
"""

from __future__ import annotations

import os
import stat
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from devtools.cli import package as pkg
from devtools.cli.traffic import handler_module
from devtools.terraform_source import Topology, read_topology

BARE_MODULE = "bench_bare_handler"
BARE_OFF_MODULE = "bench_bare_lifespan_off_handler"
BARE_ROOTS = ("fastapi", "mangum", "pydantic")

BARE_SOURCE = """\
from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


handler = Mangum(app)
"""


# What invokes a Lambda entry point, and so which event the bench feeds it.
HTTP, AUTHORIZER, QUEUE, SCHEDULE, STREAM = "http", "authorizer", "queue", "schedule", "stream"


@dataclass(frozen=True)
class EntryPoint:
    """A Lambda function's handler module, the app whose zip carries it, and what invokes it."""

    module: str
    app: str
    trigger: str


@dataclass(frozen=True)
class Handler:
    """One Lambda entry point as packaged: its module, its app, where it runs from, what its zip weighs
    (a consumer or schedule ships in its app's zip: the same size)."""

    module: str
    app: str
    paths: list[str]
    zip_size: int
    files: int
    trigger: str = HTTP


@dataclass
class Layout:
    python: str
    flags: list[str]
    handlers: list[Handler]
    bare_paths: list[str]
    bare_zip_size: int
    description: list[str] = field(default_factory=list)


def entry_points(apps: list[pkg.App], topology: Topology) -> list[EntryPoint]:
    """Every Lambda entry point of `apps`: each app's handler (an HTTP app's, or the authorizer's when
    no ASGI app sits beside it), then the queue consumers and scheduled handlers that Terraform's apps
    map (`topology`, terraform/modules/platform) runs from that app's zip, and the outbox relay."""
    points = []
    for app in apps:
        points.append(
            EntryPoint(f"{app.kind}.{app.name}.handler", app.name, HTTP if app.serves_http else AUTHORIZER)
        )
        declared = topology.apps.get(app.name)
        if declared is None:
            continue
        for consumer in declared.consumers:
            points.append(EntryPoint(handler_module(consumer.handler), app.name, QUEUE))
        points.extend(EntryPoint(handler_module(s.handler), app.name, SCHEDULE) for s in declared.schedules)
    # The outbox relay: one function per outbox app, each running the same foyer module from its
    # app's zip, so it is benched once, from the first.
    outbox_apps = [app.name for app in apps if app.name in topology.apps and topology.apps[app.name].outbox]
    if outbox_apps:
        points.append(EntryPoint(handler_module(topology.relay_handler), outbox_apps[0], STREAM))
    return points


def closure(lock_file: Path, roots: tuple[str, ...]) -> set[str]:
    """`roots` and everything they depend on, by uv.lock's resolution (normalized names)."""
    packages = {p["name"]: p for p in tomllib.loads(lock_file.read_text())["package"]}
    wanted: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        wanted.add(name)
        todo.extend(dep["name"] for dep in packages.get(name, {}).get("dependencies", []))
    return wanted


def bare_requirements(root: Path, exported: str) -> str:
    """The lines of `exported` that a bare fastapi + mangum + pydantic app installs."""
    wanted = closure(root / "uv.lock", BARE_ROOTS)
    lines = [line for line in exported.splitlines() if pkg._requirement_name(line) in wanted]
    return "\n".join(lines) + "\n"


def _bare_zip_size(deps: Path, bare: Path) -> int:
    entries = {name: path for name, path in _files(deps)}
    entries |= {name: path for name, path in _files(bare) if BARE_OFF_MODULE not in name}
    return len(pkg.zip_bytes(entries))


def _files(base: Path) -> Iterator[tuple[str, Path]]:
    for path in base.rglob("*"):
        if path.is_file():
            yield path.relative_to(base).as_posix(), path


@contextmanager
def read_only(directory: Path) -> Iterator[Path]:
    """`directory` without write permission (Lambda's /var/task), writable again afterwards."""
    modes = {path: path.stat().st_mode for path in [directory, *directory.rglob("*")] if path.is_dir()}
    for path in modes:
        path.chmod(modes[path] & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        yield directory
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


def prepare(root: Path, stack: ExitStack) -> Layout:
    """Build and unpack every app's zip and the bare baseline under a temp dir that `stack` removes."""
    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="foyer-bench-")))
    uv, python = pkg.find_uv(root), pkg.find_python312()
    plat = pkg.host_platform()
    exported = pkg.export_requirements(root, uv)
    apps = pkg.discover_apps(root)
    if not apps:
        raise pkg.PackageError(f"no apps found under {root}")
    # The one difference from `make package` for the runs: wheels for this machine.
    host_deps = pkg.ensure_dependencies(root / "build", exported, uv, python, platform=plat)
    lambda_deps = pkg.ensure_dependencies(root / "build", exported, uv, python)
    bare_reqs = bare_requirements(root, exported)
    bare_host = pkg.ensure_dependencies(root / "build", bare_reqs, uv, python, platform=plat)
    bare_lambda = pkg.ensure_dependencies(root / "build", bare_reqs, uv, python)
    runtime = pkg.runtime_tree(root, uv, python, plat)

    bare = tmp / "bare"
    bare.mkdir()
    (bare / f"{BARE_MODULE}.py").write_text(BARE_SOURCE)
    (bare / f"{BARE_OFF_MODULE}.py").write_text(
        BARE_SOURCE.replace("Mangum(app)", 'Mangum(app, lifespan="off")')
    )
    pkg.compile_tree(python, bare)  # as foyer's handler modules are: both sides load bytecode

    weighed = {r.app: r for r in pkg.build_apps(root, apps, lambda_deps, tmp / "dist-lambda", python)}
    tasks = {}
    for result in pkg.build_apps(root, apps, host_deps, tmp / "dist-host", python):
        tasks[result.app] = tmp / "task" / result.app
        with zipfile.ZipFile(result.path) as archive:
            archive.extractall(tasks[result.app])
        stack.enter_context(read_only(tasks[result.app]))
    handlers = [
        Handler(
            module=point.module,
            app=point.app,
            paths=[str(tasks[point.app]), str(runtime)],
            zip_size=weighed[point.app].zipped_size,
            files=weighed[point.app].files,
            trigger=point.trigger,
        )
        for point in entry_points(apps, read_topology(root / "terraform"))
    ]
    return Layout(
        python=python,
        flags=["-I", "-S"],
        handlers=handlers,
        bare_paths=[str(bare), str(bare_host), str(runtime)],
        bare_zip_size=_bare_zip_size(bare_lambda, bare),
        description=[
            f"foyer: every app's zip built by devtools.cli.package, run from its read-only unzipped contents "
            f"({plat} wheels; sizes are of the {pkg.PLATFORM} zips that make package builds)",
            "queue consumers and scheduled handlers: every `consumers` and `schedules` entry of Terraform's "
            "apps map (terraform/modules/platform), run from their app's zip; their size is that zip's",
            f"baseline: FastAPI() + one async route + Mangum(app) over {', '.join(BARE_ROOTS)} and their "
            f"dependencies as uv.lock pins them ({len(bare_reqs.split())} packages, nothing left out)",
            f"interpreter: {python} -I -S; sys.path = [task, runtime (locked boto3 & deps)] + stdlib; "
            f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '1')}",
        ],
    )
