"""Bring up what terraform/environments/local declares in the emulator, and describe it.

The description is foyer.stack_file.LocalStack, written to `.local/stack.json`; apps started alone
with uvicorn read it back through foyer.settings with the same model.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3

from devtools.devstack.issuer import JWKS_FILE, LocalIssuer
from devtools.devstack.payment_sandbox.config import DEFAULT_API_KEY
from devtools.devstack.terraform import Terraform
from foyer.stack_file import Demo, Emulator, Issuer, LocalStack

__all__ = [
    "DIST",
    "ISSUER_DIR",
    "LOCAL_ROOT",
    "ROOT",
    "LocalStack",
    "identity_variables",
    "local_terraform",
    "local_variables",
    "provision",
]

ROOT = Path(__file__).resolve().parents[2]
LOCAL_ROOT = ROOT / "terraform" / "environments" / "local"
DIST = ROOT / "dist"
DEMO_TOKEN_TTL_S = (
    12 * 3600
)  # the stack file's demo.user_token: a working day; mint another with devtools.cli.token
GATEWAY_PORT_SHIFT = 80  # a BFF's local gateway listens on its port + 80 (web 8001 -> 8081)
ISSUER_DIR = "issuer"  # under the state dir: the local issuer's key and JWKS
DEMO_PARTNER, DEMO_PARTNER_TIER = "demo-partner", "bronze"  # the stack file's demo.partner_api_key


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


def identity_variables(identity: Issuer | None) -> dict[str, str]:
    """The local root's variables for the token issuer (the authorizer's environment): the same for
    every apply of one stack."""
    if identity is None:
        return {}
    return {"jwt_issuer": identity.issuer, "jwt_audience": identity.audience, "jwks_url": identity.jwks_url}


def provision(
    endpoint: str,
    state_dir: Path,
    on_line: Callable[[str], None] | None = None,
    *,
    jwks_url: str | None = None,
    **variables: str,
) -> LocalStack:
    """Apply `terraform/environments/local` against the emulator at `endpoint`.

    The emulator keeps its resources in memory, so a state file from an earlier run describes
    nothing that exists: every provision starts from an empty state. `jwks_url` is where the
    issuer's keys are served (`make dev`: over HTTP, devtools.devstack.issuer_server); without it the
    authorizer and the BFFs read the JWKS file itself (file://), which tests that start no server use.
    """
    state = state_dir / "terraform.tfstate"
    state.unlink(missing_ok=True)
    # The local token issuer: its key kept under state_dir (tokens minted earlier keep verifying),
    # its JWKS a file beside it.
    issuer = LocalIssuer.ensure(state_dir / ISSUER_DIR)
    identity = Issuer(
        issuer=issuer.issuer,
        audience=issuer.audience,
        jwks_url=jwks_url or (state_dir / ISSUER_DIR / JWKS_FILE).as_uri(),
    )
    terraform = local_terraform(state_dir)
    terraform.init(backend_path=state)
    terraform.apply(local_variables(endpoint, **identity_variables(identity), **variables), on_line=on_line)
    outputs = terraform.output()
    demo_key = _issue_demo_key(endpoint, outputs)
    return LocalStack(
        region=outputs["region"],
        emulator=Emulator(endpoint=endpoint),
        tables=outputs["tables"],
        functions=outputs["functions"],
        ports=outputs["ports"],
        event_bus=outputs["event_bus"],
        outboxes=outputs["outboxes"],
        schedules=outputs["schedules"],
        authorizer=outputs["authorizer"],
        apis=outputs["apis"],
        identity=identity,
        demo=Demo(
            partner_api_key=demo_key,
            user_token=issuer.mint(ttl_s=DEMO_TOKEN_TTL_S),
        ),
    )


def _issue_demo_key(endpoint: str, outputs: dict[str, Any]) -> str | None:
    """The demo partner's key, issued as every partner key is (devtools.cli.partner_keys: generated, its
    value in the emulator's Secrets Manager, never in Terraform's state); None without a partner API."""
    if DEMO_PARTNER_TIER not in outputs.get("partner_usage_plans", {}) or "partner" not in outputs["tables"]:
        return None
    from devtools.cli.partner_keys import PartnerKeys
    from foyer.dynamodb import Table

    emulator = Emulator(endpoint=endpoint)
    session = boto3.session.Session(
        aws_access_key_id=emulator.access_key_id,
        aws_secret_access_key=emulator.secret_access_key,
        region_name=outputs["region"],
    )
    prefix = outputs["tables"]["partner"].removesuffix("-partner")
    keys = PartnerKeys(
        prefix,
        apigateway=session.client("apigateway", endpoint_url=endpoint),
        secretsmanager=session.client("secretsmanager", endpoint_url=endpoint),
        table=Table(outputs["tables"]["partner"], client=session.client("dynamodb", endpoint_url=endpoint)),
    )
    return keys.issue(DEMO_PARTNER, DEMO_PARTNER_TIER).value
