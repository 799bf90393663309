"""A small runner for the terraform CLI, used by the dev stack and the tests.

Every runner has its own TF_DATA_DIR, so the dev stack and the test suite can work on the same root at
the same time without sharing a `.terraform` directory. When a local provider mirror exists (no registry
is reachable on CI), the runner writes its own CLI config that installs from it; otherwise the user's
terraform config is left alone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_MIRROR",
    "ApplySummary",
    "Terraform",
    "TerraformError",
    "provider_mirror",
    "write_cli_config",
]

DEFAULT_MIRROR = Path("/opt/tf-plugins")
_MIRRORED = "registry.terraform.io/hashicorp/*"
_APPLY_COUNTS = re.compile(r"Resources: (\d+) added, (\d+) changed, (\d+) destroyed")

LineCallback = Callable[[str], None]


class TerraformError(RuntimeError):
    """A terraform command failed; the message carries its stderr."""

    def __init__(self, args: Sequence[str], returncode: int, stderr: str) -> None:
        self.args_ = list(args)
        self.returncode = returncode
        self.stderr = stderr
        super().__init__(f"`terraform {' '.join(args)}` failed (exit {returncode}):\n{stderr.strip()}")


@dataclass(frozen=True)
class ApplySummary:
    """What `terraform apply` reported."""

    added: int
    changed: int
    destroyed: int
    no_changes: bool
    lines: tuple[str, ...]


def provider_mirror() -> Path | None:
    """The provider mirror to install from: $FOYER_TF_PROVIDER_MIRROR, else /opt/tf-plugins, if it exists."""
    configured = os.environ.get("FOYER_TF_PROVIDER_MIRROR")
    candidate = Path(configured) if configured else DEFAULT_MIRROR
    return candidate if candidate.is_dir() else None


def _default_plugin_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "foyer" / "terraform-plugin-cache"


def write_cli_config(path: Path, mirror: Path, plugin_cache: Path) -> Path:
    """Write a CLI config that installs hashicorp providers from `mirror` only and caches them."""
    plugin_cache.mkdir(parents=True, exist_ok=True)
    # With the cache, init symlinks the (675 MB) provider instead of copying it into every data dir;
    # the lock-file escape hatch is safe because the mirror is the only source, so the hashes agree.
    text = (
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {json.dumps(str(mirror))}\n"
        f"    include = [{json.dumps(_MIRRORED)}]\n"
        "  }\n"
        "  direct {\n"
        f"    exclude = [{json.dumps(_MIRRORED)}]\n"
        "  }\n"
        "}\n"
        f"plugin_cache_dir = {json.dumps(str(plugin_cache))}\n"
        "plugin_cache_may_break_dependency_lock_file = true\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(path)  # atomic: a concurrent terraform never reads half a file
    return path


class Terraform:
    """Runs terraform in `working_dir` with a private TF_DATA_DIR."""

    def __init__(
        self,
        working_dir: Path,
        data_dir: Path,
        *,
        binary: str = "terraform",
        mirror: Path | None = None,
        use_mirror: bool = True,
        plugin_cache: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.working_dir = Path(working_dir)
        self.data_dir = Path(data_dir)
        found = shutil.which(binary)
        if found is None:
            raise TerraformError([binary], 127, f"terraform binary {binary!r} is not on PATH")
        self.binary = found
        self.mirror = (mirror or provider_mirror()) if use_mirror else None
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "TF_DATA_DIR": str(self.data_dir),
            "TF_IN_AUTOMATION": "1",  # terse output without "run terraform plan next" advice
            "CHECKPOINT_DISABLE": "1",  # no version check call to HashiCorp
            **(env or {}),
        }
        if self.mirror is not None:
            config = write_cli_config(
                self.data_dir / "foyer.tfrc", self.mirror, plugin_cache or _default_plugin_cache()
            )
            self.env["TF_CLI_CONFIG_FILE"] = str(config)

    # -- commands -------------------------------------------------------------------------------

    def init(self, backend_path: Path | None = None, *, backend: bool = True) -> None:
        """`terraform init`; with `backend_path`, the local backend keeps its state there."""
        args = ["init", "-input=false", "-no-color"]
        if not backend:
            args.append("-backend=false")
        elif backend_path is not None:
            backend_path.parent.mkdir(parents=True, exist_ok=True)
            # -reconfigure: a data dir reused with another state path must not try to migrate state.
            args += ["-reconfigure", f"-backend-config=path={backend_path}"]
        self._run(args)

    def validate(self) -> None:
        self._run(["validate", "-no-color"])

    def console(self, expression: str) -> str:
        """What `terraform console` prints for one single-line `expression` (stripped)."""
        args = ["console", "-no-color", "-input=false"]
        result = subprocess.run(
            [self.binary, *args],
            cwd=self.working_dir,
            env=self.env,
            input=expression + "\n",
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise TerraformError(args, result.returncode, result.stderr or result.stdout)
        return result.stdout.strip()

    def test(self) -> str:
        """`terraform test` of `tests/*.tftest.hcl`: the report, or TerraformError when a run fails."""
        args = ["test", "-no-color"]
        result = subprocess.run(
            [self.binary, *args], cwd=self.working_dir, env=self.env, capture_output=True, text=True
        )
        if result.returncode != 0:
            # The failed runs and assertions go to stdout, their diagnostics to stderr: keep both.
            raise TerraformError(args, result.returncode, f"{result.stdout}\n{result.stderr}")
        return result.stdout

    def fmt_check(self, recursive: bool = True) -> None:
        """Fail (listing the files) when any file in `working_dir` is not `terraform fmt`-formatted."""
        args = ["fmt", "-check", "-list=true", "-no-color"] + (["-recursive"] if recursive else [])
        result = subprocess.run(
            [self.binary, *args], cwd=self.working_dir, env=self.env, capture_output=True, text=True
        )
        if result.returncode != 0:
            unformatted = result.stdout.strip() or "(none listed)"
            raise TerraformError(args, result.returncode, f"not formatted:\n{unformatted}\n{result.stderr}")

    def apply(
        self, variables: Mapping[str, Any] | None = None, on_line: LineCallback | None = None
    ) -> ApplySummary:
        """`terraform apply -auto-approve`, streaming each output line to `on_line` as it comes."""
        args = ["apply", "-auto-approve", "-input=false", "-no-color", *self._var_args(variables)]
        lines = self._stream(args, on_line)
        counts = next((m for line in reversed(lines) if (m := _APPLY_COUNTS.search(line))), None)
        added, changed, destroyed = (int(n) for n in counts.groups()) if counts else (0, 0, 0)
        no_changes = any(line.startswith("No changes.") for line in lines)
        return ApplySummary(added, changed, destroyed, no_changes, tuple(lines))

    def plan_has_changes(self, variables: Mapping[str, Any] | None = None) -> bool:
        """`terraform plan -detailed-exitcode`: True when applying would change something."""
        args = ["plan", "-input=false", "-no-color", "-detailed-exitcode", *self._var_args(variables)]
        result = subprocess.run(
            [self.binary, *args], cwd=self.working_dir, env=self.env, capture_output=True, text=True
        )
        if result.returncode not in (0, 2):
            raise TerraformError(args, result.returncode, result.stderr or result.stdout)
        return result.returncode == 2

    def plan_json(self, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The plan `terraform plan` makes, as `terraform show -json` prints it (resource_changes, ...)."""
        plan_file = self.data_dir / "foyer.tfplan"
        self._run(["plan", "-input=false", "-no-color", f"-out={plan_file}", *self._var_args(variables)])
        shown: dict[str, Any] = json.loads(self._run(["show", "-json", "-no-color", str(plan_file)]))
        return shown

    def output(self) -> dict[str, Any]:
        """Root outputs as plain values (`terraform output -json` without the type/sensitive wrapper)."""
        raw = json.loads(self._run(["output", "-json", "-no-color"]))
        return {name: entry["value"] for name, entry in raw.items()}

    # -- plumbing -------------------------------------------------------------------------------

    def _var_args(self, variables: Mapping[str, Any] | None) -> list[str]:
        if not variables:
            return []
        # A JSON var file carries any type (maps, lists) without HCL quoting on the command line.
        path = self.data_dir / "foyer.auto.tfvars.json"
        path.write_text(json.dumps(dict(variables), indent=2, sort_keys=True))
        return [f"-var-file={path}"]

    def _run(self, args: list[str]) -> str:
        result = subprocess.run(
            [self.binary, *args], cwd=self.working_dir, env=self.env, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise TerraformError(args, result.returncode, result.stderr or result.stdout)
        return result.stdout

    def _stream(self, args: list[str], on_line: LineCallback | None) -> list[str]:
        process = subprocess.Popen(
            [self.binary, *args],
            cwd=self.working_dir,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        stdout, stderr, stderr_chunks = process.stdout, process.stderr, list[str]()
        if stdout is None or stderr is None:  # cannot happen with PIPE; narrows the types
            raise RuntimeError("terraform pipes were not created")
        # stderr drains on its own thread so a chatty stderr can never block stdout (pipe deadlock).
        drain = threading.Thread(target=lambda: stderr_chunks.append(stderr.read()), daemon=True)
        drain.start()
        lines: list[str] = []
        for raw in stdout:
            line = raw.rstrip("\n")
            lines.append(line)
            if on_line is not None:
                on_line(line)
        returncode = process.wait()
        drain.join()
        if returncode != 0:
            raise TerraformError(args, returncode, "".join(stderr_chunks) or "\n".join(lines[-40:]))
        return lines
