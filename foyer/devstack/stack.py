"""Bring up what terraform/environments/local declares in the emulator, and describe it.

The description is foyer.stack_file.LocalStack, written to `.local/stack.json`; apps started alone
with uvicorn read it back through foyer.settings with the same model.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from foyer.devstack.payment_sandbox.config import DEFAULT_API_KEY
from foyer.devstack.terraform import Terraform
from foyer.stack_file import Demo, Emulator, LocalStack

__all__ = ["DIST", "LOCAL_ROOT", "ROOT", "LocalStack", "local_terraform", "local_variables", "provision"]

ROOT = Path(__file__).resolve().parents[2]
LOCAL_ROOT = ROOT / "terraform" / "environments" / "local"
DIST = ROOT / "dist"


def local_terraform(state_dir: Path) -> Terraform:
    """The runner for environments/local whose data dir (and so state) lives under `state_dir`."""
    return Terraform(LOCAL_ROOT, state_dir / "tf-data")


def local_variables(endpoint: str, **more: str) -> dict[str, str]:
    """The local root's variables: the emulator, the zips, and the payment sandbox's key (the one the
    sandbox accepts: it is local only, and Terraform puts it in the emulator's Secrets Manager)."""
    return {
        "aws_endpoint": endpoint,
        "artifacts_dir": str(DIST),
        "payment_provider_key": DEFAULT_API_KEY,
        **more,
    }


def provision(
    endpoint: str, state_dir: Path, on_line: Callable[[str], None] | None = None, **variables: str
) -> LocalStack:
    """Apply `terraform/environments/local` against the emulator at `endpoint`.

    The emulator keeps its resources in memory, so a state file from an earlier run describes
    nothing that exists: every provision starts from an empty state.
    """
    state = state_dir / "terraform.tfstate"
    state.unlink(missing_ok=True)
    terraform = local_terraform(state_dir)
    terraform.init(backend_path=state)
    terraform.apply(local_variables(endpoint, **variables), on_line=on_line)
    outputs = terraform.output()
    return LocalStack(
        region=outputs["region"],
        emulator=Emulator(endpoint=endpoint),
        tables=outputs["tables"],
        functions=outputs["functions"],
        ports=outputs["ports"],
        event_bus=outputs["event_bus"],
        outboxes=outputs["outboxes"],
        authorizer=outputs["authorizer"],
        apis=outputs["apis"],
        partner_keys=outputs["partner_keys"],
        demo=Demo(partner_api_key=outputs["demo_partner_api_key"]),
    )
