"""The local stack's description: what Terraform created in the emulator, and where each app listens.

Written to `.local/stack.json`; apps started alone with uvicorn read it through foyer.settings.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from foyer.devstack.terraform import Terraform

ROOT = Path(__file__).resolve().parents[2]
LOCAL_ROOT = ROOT / "terraform" / "environments" / "local"
DIST = ROOT / "dist"
# The emulator accepts any keys; these are written down so every local client uses the same ones.
DEMO_ACCESS_KEY_ID = "test"
DEMO_SECRET_ACCESS_KEY = "test"  # noqa: S105 - a placeholder the emulator accepts, not a secret


@dataclass
class LocalStack:
    endpoint: str
    region: str
    tables: dict[str, str]
    functions: dict[str, dict[str, Any]]
    apps: dict[str, str] = field(default_factory=dict)

    @property
    def app_modules(self) -> dict[str, str]:
        """`name -> module:app` for each Lambda Terraform declares (handler `x.y.handler.handler`)."""
        modules = {}
        for name, function in self.functions.items():
            package = function["handler"].rsplit(".", 2)[0]
            modules[name] = f"{package}.app:app"
        return modules

    def aws_env(self) -> dict[str, str]:
        """The environment that points boto3 (and so foyer.aws) at the emulator."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ACCESS_KEY_ID": DEMO_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": DEMO_SECRET_ACCESS_KEY,
        }

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["emulator"] = {
            "endpoint": data.pop("endpoint"),
            "access_key_id": DEMO_ACCESS_KEY_ID,
            "secret_access_key": DEMO_SECRET_ACCESS_KEY,
        }
        return data

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=2) + "\n")
        tmp.replace(path)
        return path


def local_terraform(state_dir: Path) -> Terraform:
    """The runner for environments/local whose data dir (and so state) lives under `state_dir`."""
    return Terraform(LOCAL_ROOT, state_dir / "tf-data")


def local_variables(endpoint: str) -> dict[str, str]:
    return {"aws_endpoint": endpoint, "artifacts_dir": str(DIST)}


def provision(endpoint: str, state_dir: Path, on_line: Callable[[str], None] | None = None) -> LocalStack:
    """Apply `terraform/environments/local` against the emulator at `endpoint`.

    The emulator keeps its resources in memory, so a state file from an earlier run describes
    nothing that exists: every provision starts from an empty state.
    """
    state = state_dir / "terraform.tfstate"
    state.unlink(missing_ok=True)
    terraform = local_terraform(state_dir)
    terraform.init(backend_path=state)
    terraform.apply(local_variables(endpoint), on_line=on_line)
    outputs = terraform.output()
    return LocalStack(
        endpoint=endpoint,
        region=outputs["region"],
        tables=dict(outputs["tables"]),
        functions=dict(outputs["functions"]),
    )
