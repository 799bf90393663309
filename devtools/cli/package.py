"""Build one deterministic Lambda zip per app: `python -m devtools.cli.package` (what `make package` runs).

An app is every `services/<name>/handler.py` and `bff/<name>/handler.py`. Each zip holds the runtime
dependencies for CPython 3.12 on linux arm64 (except boto3 and its dependencies, which the Lambda
runtime provides, and what no Lambda of ours imports: PRUNED), the `foyer` package and that app's own
package, all precompiled to bytecode. The same inputs give byte-identical zips, so Terraform's
`source_code_hash` changes only when code does.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CARRIES_ONLY",
    "PRUNED",
    "SHARED",
    "App",
    "BuildResult",
    "PackageError",
    "build_apps",
    "carried_by",
    "compile_tree",
    "discover_apps",
    "ensure_dependencies",
    "export_requirements",
    "find_python312",
    "find_uv",
    "host_platform",
    "is_pruned",
    "runtime_tree",
    "zip_bytes",
]

APP_KINDS = ("services", "bff")
# The Lambda python3.12 runtime ships these; bundling them only adds megabytes and version skew.
RUNTIME_PROVIDED = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"}
)
# Code an app kind's HTTP apps share (the BFFs' service clients and journeys): carried by those apps.
SHARED = "shared"
# Left out of every zip: no Lambda of ours imports them (tests/foyer/test_packaged_apps.py runs each
# zip alone and calls every operation of its OpenAPI). A path ending in "/" is a package; otherwise a
# module (its source and its bytecode).
PRUNED = (
    # FastAPI imports pydantic.v1 whenever a route with parameters or a response model registers, only
    # to look for v1 models, and reads an ImportError as "there are none": left out, it costs no init
    # and no zip space (see docs/performance.md).
    "pydantic/v1/",
    "pydantic/mypy",  # the mypy plugin: a type checker's, never imported at run time
    "fastapi/testclient",  # test clients (they import httpx's client stack)
    "starlette/testclient",
)
# Dependencies only some apps import, carried only in their zips: distribution (import name) -> apps.
# Only the authorizer verifies tokens in Lambda (a BFF there trusts the authorizer's context, see
# foyer.identity): joserfc and cryptography (with cffi) weigh 5.3 MB of an arm64 zip (10.9 MiB with
# them, 5.6 MB without) that no other app opens. tests/foyer/test_packaged_apps.py runs each zip alone.
# Only the HTTP BFFs call services through foyer.upstream, with purgatory's breakers (and sniffio,
# which spares httpcore a failed import per request, see pyproject.toml). aiohttp (with
# its dependencies, ~3.8 MB of a zip) is their transport under uvicorn only: in Lambda they use
# httpx's own (foyer.upstream.transports), so no zip carries it (9.2 MiB with it, 5.4 without).
_BFFS = frozenset({"web", "mobile", "partner"})
_NO_LAMBDA: frozenset[str] = frozenset()
CARRIED_ONLY_BY: dict[str, frozenset[str]] = {
    **{
        name: frozenset({"authorizer"})
        for name in ("joserfc", "cryptography", "cffi", "pycparser", "_cffi_backend")
    },
    "purgatory": _BFFS,
    "sniffio": _BFFS,
    **{
        name: _NO_LAMBDA
        for name in (
            "aiohttp",
            "aiohappyeyeballs",
            "aiosignal",
            "attr",
            "attrs",
            "frozenlist",
            "multidict",
            "propcache",
            "yarl",
            "httpx_aiohttp",
            # email-validator's deliverability check (DNS lookups), which foyer.contracts.email_address never
            # runs: email-validator imports it only for that check (1.5 MB unzipped).
            "dns",
            "dnspython",
        )
    },
}
# Apps whose zip carries only the dependencies they import (import names), not the web stack of
# the HTTP apps. The authorizer imports no web framework (an import contract says so) and no pydantic
# (its settings are read by foyer.identity.issuer; tests/bff/authorizer/test_authorizer.py checks
# its imports), only joserfc over cryptography (whose bindings load cffi's compiled `_cffi_backend`,
# not the `cffi` package nor pycparser): cryptography's Rust bindings are most of its zip, and the
# rest of the runtime's dependencies would double it (see docs/performance.md).
# tests/foyer/test_packaged_apps.py verifies a token with the zip alone.
CARRIES_ONLY: dict[str, frozenset[str]] = {
    "authorizer": frozenset({"joserfc", "cryptography", "_cffi_backend"}),
}
PLATFORM = "aarch64-manylinux2014"
PYTHON_VERSION = "3.12"
LAMBDA_TASK_ROOT = "/var/task"  # compiled into co_filename, so tracebacks show the deployed path
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
ZIP_LEVEL = 6
_SKIP_NAMES = frozenset({"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", "tests", ".DS_Store"})
_SKIP_SUFFIXES = (".pyc", ".pyo")
_CACHE_FORMAT = "2"  # bump when the way the dependency tree is built changes

Step = Callable[[str], None]


class PackageError(RuntimeError):
    """Packaging cannot proceed (missing tool, failed install); the message says what to do."""


@dataclass(frozen=True)
class App:
    """A deployable: `services/<name>` or `bff/<name>` with a handler.py; `serves_http` when an
    `app.py` (its ASGI app) sits beside it, else it answers other events (the authorizer)."""

    name: str
    kind: str
    serves_http: bool = True

    @property
    def package(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclass(frozen=True)
class BuildResult:
    app: str
    path: Path
    files: int
    zipped_size: int
    unzipped_size: int
    sha256: str
    changed: bool


# -- tools ------------------------------------------------------------------------------------------


def find_uv(root: Path) -> str:
    """The uv that `make install` bootstrapped into .tools/, else one on PATH."""
    local = root / ".tools" / "bin" / "uv"
    found = str(local) if local.is_file() else shutil.which("uv")
    if found is None:
        raise PackageError("uv not found: run `make install` (it bootstraps .tools/bin/uv) or put uv on PATH")
    return found


def _is_python312(executable: str) -> bool:
    try:
        result = subprocess.run(
            [executable, "-c", "import sys; print(sys.version_info[:2] == (3, 12))"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and result.stdout.strip() == "True"


def find_python312() -> str:
    """A working CPython 3.12 (bytecode must match the Lambda runtime's magic number)."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [
        os.environ.get("FOYER_PYTHON312"),
        shutil.which("python3.12"),
        # A pyenv shim for a version that is installed but not selected exits 127: use the real binary.
        *(str(p) for p in sorted(pyenv_root.glob("versions/3.12*/bin/python3.12"), reverse=True)),
    ]
    for candidate in candidates:
        if candidate and _is_python312(candidate):
            return candidate
    raise PackageError(
        "python3.12 not found (the Lambda runtime is python3.12): install it, or set FOYER_PYTHON312 "
        "to its path"
    )


def _run(args: list[str], what: str, cwd: Path | None = None) -> str:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise PackageError(f"{what} failed (exit {result.returncode}):\n{result.stderr or result.stdout}")
    return result.stdout


# -- dependencies -----------------------------------------------------------------------------------


def _requirement_name(line: str) -> str | None:
    match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)", line)
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else None


def export_requirements(root: Path, uv: str) -> str:
    """The locked runtime requirements (uv.lock), minus what the Lambda runtime provides."""
    exported = _run(
        [uv, "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project", "--no-header"],
        "uv export",
        cwd=root,
    )
    kept = []
    for raw in exported.splitlines():
        line = raw.strip()
        name = _requirement_name(line)
        if name is not None and name not in RUNTIME_PROVIDED:
            kept.append(line)
    return "\n".join(sorted(kept)) + "\n"


def ensure_dependencies(
    build_dir: Path,
    requirements: str,
    uv: str,
    python: str,
    on_step: Step | None = None,
    *,
    platform: str = PLATFORM,
) -> Path:
    """The compiled dependency tree for `requirements`, built once and cached under `build_dir`.

    `platform` (a uv `--python-platform`) defaults to the Lambda's; the benchmarks pass this machine's.
    """
    key = hashlib.sha256(f"{_CACHE_FORMAT}|{platform}|{PYTHON_VERSION}|{requirements}".encode()).hexdigest()
    target = build_dir / "deps" / key[:16]
    if target.is_dir():
        return target
    (build_dir / "deps").mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{key[:16]}.", dir=build_dir / "deps"))
    try:
        reqs = work / "requirements.txt"
        reqs.write_text(requirements)
        tree = work / "tree"
        if on_step:
            on_step(
                f"installing {len(requirements.splitlines())} dependencies for {platform} / {PYTHON_VERSION}"
            )
        # --no-deps: the export is already the full resolved set; resolving again would re-add boto3's deps.
        _run(
            [uv, "pip", "install", "--quiet", "--no-deps", "--target", str(tree), "--python", python,
             "--python-platform", platform, "--python-version", PYTHON_VERSION, "--only-binary", ":all:",
             "-r", str(reqs)],
            "uv pip install",
        )  # fmt: skip
        shutil.rmtree(tree / "bin", ignore_errors=True)  # console scripts: nothing runs them in Lambda
        (tree / ".lock").unlink(missing_ok=True)  # uv's install lock, not part of any package
        if on_step:
            on_step("compiling dependencies to bytecode")
        compile_tree(python, tree)
        tree.rename(target)  # atomic publish: a half-built tree is never used
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def compile_tree(python: str, tree: Path) -> None:
    """Compile every module under `tree` to bytecode as the zips carry it (CPython 3.12, /var/task paths)."""
    # unchecked-hash: .pyc bytes depend on source content only (not mtimes), and the runtime trusts
    # them without stat-ing sources; -s/-p record /var/task paths, not this machine's.
    _run(
        [python, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash",
         "-s", str(tree), "-p", LAMBDA_TASK_ROOT, str(tree)],
        "python3.12 -m compileall",
    )  # fmt: skip


def host_platform() -> str:
    """uv's `--python-platform` for this machine: wheels that run here (tests and benchmarks)."""
    import platform as _platform

    machine = _platform.machine().lower()
    return "aarch64-manylinux2014" if machine in {"aarch64", "arm64"} else "x86_64-manylinux2014"


def runtime_tree(root: Path, uv: str, python: str, platform: str) -> Path:
    """boto3 and its deps at their locked versions for `platform`: what the Lambda runtime puts on
    sys.path (/var/runtime), for running a zip outside Lambda. Built once, cached under build/."""
    exported = _run(
        [uv, "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project", "--no-header"],
        "uv export",
        cwd=root,
    )
    wanted = sorted(
        line.strip() for line in exported.splitlines() if _requirement_name(line) in RUNTIME_PROVIDED
    )
    key = hashlib.sha256(f"{platform}|{'|'.join(wanted)}".encode()).hexdigest()[:16]
    target = root / "build" / "runtime" / key
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="runtime.", dir=target.parent))
    try:
        (work / "requirements.txt").write_text("\n".join(wanted) + "\n")
        _run(
            [uv, "pip", "install", "--quiet", "--no-deps", "--target", str(work / "tree"), "--python", python,
             "--python-platform", platform, "--python-version", PYTHON_VERSION, "--only-binary", ":all:",
             "-r", str(work / "requirements.txt")],
            "uv pip install (runtime)",
        )  # fmt: skip
        (work / "tree").rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


# -- sources ----------------------------------------------------------------------------------------


def discover_apps(root: Path) -> list[App]:
    """Every `services/<name>/handler.py` and `bff/<name>/handler.py`, sorted."""
    apps = [
        App(handler.parent.name, kind, serves_http=(handler.parent / "app.py").exists())
        for kind in APP_KINDS
        for handler in (root / kind).glob("*/handler.py")
    ]
    names = [app.name for app in apps]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise PackageError(f"app names must be unique across {APP_KINDS}: {duplicates}")
    return sorted(apps, key=lambda app: app.name)


def _source_files(root: Path, relative: str) -> Iterator[str]:
    base = root / relative
    if base.is_file():
        yield relative
        return
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_NAMES)
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        for name in filenames:
            if name not in _SKIP_NAMES and not name.endswith(_SKIP_SUFFIXES):
                yield f"{rel_dir}/{name}"


def _stage_sources(root: Path, apps: Iterable[App], stage: Path, python: str) -> None:
    """Copy foyer/ and the apps' packages into `stage` (without stray caches) and compile them."""
    wanted = ["foyer"] + [
        f"{kind}/__init__.py" for kind in APP_KINDS if (root / kind / "__init__.py").is_file()
    ]
    wanted += [f"{kind}/{SHARED}" for kind in APP_KINDS if (root / kind / SHARED).is_dir()]
    wanted += [app.package for app in apps]
    for relative in wanted:
        for rel in _source_files(root, relative):
            destination = stage / rel
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / rel, destination)
    compile_tree(python, stage)


# -- zips -------------------------------------------------------------------------------------------


def is_pruned(name: str) -> bool:
    """True for a zip entry (`pydantic/v1/main.py`, `fastapi/__pycache__/testclient.cpython-312.pyc`) that
    PRUNED leaves out."""
    for pruned in PRUNED:
        if pruned.endswith("/"):
            if name.startswith(pruned):
                return True
            continue
        package, _, module = pruned.rpartition("/")
        if name == f"{pruned}.py" or (
            name.startswith(f"{package}/__pycache__/{module}.") and name.endswith(".pyc")
        ):
            return True
    return False


def _import_name(name: str) -> str:
    """The import name a dependency entry belongs to: `cryptography/x509/base.py` -> `cryptography`,
    `cffi-2.1.1.dist-info/RECORD` -> `cffi`, `__pycache__/typing_extensions.cpython-312.pyc` ->
    `typing_extensions` (a top-level module's bytecode)."""
    top, _, rest = name.partition("/")
    if top == "__pycache__":
        top = rest
    return top.split("-", 1)[0] if top.endswith(".dist-info") else top.split(".", 1)[0]


def carried_by(name: str, app: str) -> bool:
    """False for a dependency entry (`cryptography/x509/base.py`, `cffi-2.1.1.dist-info/RECORD`,
    `_cffi_backend.cpython-312-aarch64-linux-gnu.so`) that CARRIED_ONLY_BY or CARRIES_ONLY keeps out
    of `app`'s zip."""
    distribution = _import_name(name)
    if app in CARRIES_ONLY:
        return distribution in CARRIES_ONLY[app]
    owners = CARRIED_ONLY_BY.get(distribution)
    return owners is None or app in owners


def _tree_entries(base: Path) -> dict[str, Path]:
    return {path.relative_to(base).as_posix(): path for path in base.rglob("*") if path.is_file()}


def zip_bytes(entries: dict[str, Path]) -> bytes:
    """A deterministic zip: sorted entries, directory entries, fixed times, modes and compression."""
    dirs = {parent for name in entries for parent in _parents(name)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(dirs | set(entries)):
            is_dir = name in dirs
            info = zipfile.ZipInfo(name + "/" if is_dir else name, date_time=ZIP_DATE)
            info.create_system = 3  # unix, whatever machine builds it, so the mode bits mean the same
            info.external_attr = ((0o040755 if is_dir else 0o100644) << 16) | (0x10 if is_dir else 0)
            if is_dir:
                archive.writestr(info, b"")
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, entries[name].read_bytes(), compresslevel=ZIP_LEVEL)
    return buffer.getvalue()


def _parents(name: str) -> Iterator[str]:
    parts = name.split("/")[:-1]
    for i in range(1, len(parts) + 1):
        yield "/".join(parts[:i])


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False  # unchanged bytes: keep the file (and its mtime) as it is
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".zip.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def build_apps(
    root: Path,
    apps: list[App],
    deps: Path,
    dist_dir: Path,
    python: str,
    on_step: Step | None = None,
) -> list[BuildResult]:
    """Write `dist_dir/<app>.zip` for each app from the sources under `root` and the dependency tree."""
    dependency_entries = {name: path for name, path in _tree_entries(deps).items() if not is_pruned(name)}
    results = []
    with tempfile.TemporaryDirectory(prefix="foyer-package-") as tmp:
        stage = Path(tmp)
        if on_step:
            on_step("compiling sources")
        _stage_sources(root, apps, stage, python)
        source_entries = _tree_entries(stage)
        for app in apps:
            if on_step:
                on_step(f"zipping {app.name}")
            # foyer, the app's package, its parent's __init__ and, for an HTTP app, its kind's shared
            # package (not the other kind's, nor other apps).
            own: tuple[str, ...] = (
                "foyer/",
                f"{app.package}/",
                f"{app.kind}/__init__.py",
                f"{app.kind}/__pycache__/__init__.",
            )
            if app.serves_http:
                own += (f"{app.kind}/{SHARED}/",)
            carried = {k: v for k, v in dependency_entries.items() if carried_by(k, app.name)}
            entries = {**carried, **{k: v for k, v in source_entries.items() if k.startswith(own)}}
            data = zip_bytes(entries)
            path = dist_dir / f"{app.name}.zip"
            changed = _write_if_changed(path, data)
            results.append(
                BuildResult(
                    app=app.name,
                    path=path,
                    files=len(entries),
                    zipped_size=len(data),
                    unzipped_size=sum(p.stat().st_size for p in entries.values()),
                    sha256=hashlib.sha256(data).hexdigest(),
                    changed=changed,
                )
            )
    return results


# -- command line -----------------------------------------------------------------------------------


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MiB" if n >= 1_048_576 else f"{n / 1024:.0f} KiB"


def main(root: Path | None = None) -> int:
    from rich.console import Console  # deferred: the build functions above must not need rich
    from rich.table import Table

    console = Console(stderr=True)
    root = (root or Path.cwd()).resolve()
    try:
        with console.status("packaging") as status:

            def step(message: str) -> None:
                status.update(message)
                console.log(message)

            uv, python = find_uv(root), find_python312()
            apps = discover_apps(root)
            if not apps:
                raise PackageError(f"no apps found: no {{services,bff}}/<name>/handler.py under {root}")
            deps = ensure_dependencies(root / "build", export_requirements(root, uv), uv, python, step)
            results = build_apps(root, apps, deps, root / "dist", python, step)
    except PackageError as error:
        console.print(f"[bold red]package failed:[/] {error}")
        return 2
    table = Table(title="Lambda artifacts (dist/)")
    for column in ("app", "files", "zipped", "unzipped", "sha256", "written"):
        table.add_column(column, justify="right" if column in ("files", "zipped", "unzipped") else "left")
    for r in results:
        table.add_row(
            r.app,
            str(r.files),
            _size(r.zipped_size),
            _size(r.unzipped_size),
            r.sha256[:12],
            "yes" if r.changed else "unchanged",
        )
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
