"""`python -m devtools.cli.token [--user ada]`: a fresh token from the running stack's issuer, for curl.

The local issuer's key lives under `<state dir>/issuer/` (`.local/` by default; the stack file's folder
when `FOYER_STACK_FILE` is set); `make dev` creates it and serves its JWKS to the BFFs and the
authorizer. The command never creates a key: a token signed by a key no stack serves would only be
refused, so it stops with the reason instead (no key there, or the running issuer serves another one).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import httpx

from devtools.devstack.issuer import DEMO_USER, KEY_FILE, LocalIssuer
from devtools.devstack.stack import ISSUER_DIR, ROOT
from foyer.stack_file import LocalStack, StackFileError

STACK_FILE = "stack.json"


def default_state_dir() -> Path:
    """The stack file's folder when FOYER_STACK_FILE names one, else `.local/`."""
    named = os.environ.get("FOYER_STACK_FILE")
    return Path(named).parent if named else ROOT / ".local"


def served_kids(state_dir: Path) -> set[str] | None:
    """The key ids the stack of `state_dir` serves, or None when it names no issuer or none answers."""
    try:
        stack = LocalStack.read(state_dir / STACK_FILE)
    except StackFileError:
        return None
    if stack is None or stack.identity is None:
        return None
    try:
        answer = httpx.get(stack.identity.jwks_url, timeout=3.0)
        answer.raise_for_status()
        return {str(key.get("kid")) for key in answer.json().get("keys", [])}
    except (httpx.HTTPError, ValueError, AttributeError):
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.cli.token", description=__doc__)
    parser.add_argument("--user", default=DEMO_USER, help=f"the token's subject (default {DEMO_USER})")
    parser.add_argument("--ttl", type=int, default=3600, help="seconds the token stays valid (default 3600)")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help="the stack's state dir as given to `make dev` (default: FOYER_STACK_FILE's folder, else .local)",
    )
    args = parser.parse_args(argv)
    if args.ttl <= 0:
        parser.error("--ttl must be positive")
    state_dir: Path = args.state_dir or default_state_dir()
    if not (state_dir / ISSUER_DIR / KEY_FILE).exists():
        print(
            f"token: no issuer key under {state_dir / ISSUER_DIR}: start the stack (`make dev`) first, "
            "or pass the --state-dir it was started with",
            file=sys.stderr,
        )
        return 2
    issuer = LocalIssuer.ensure(state_dir / ISSUER_DIR)
    kids = served_kids(state_dir)
    if kids is not None and issuer.kid not in kids:
        print(
            f"token: the issuer running for {state_dir} serves other keys than the one under "
            f"{state_dir / ISSUER_DIR}: pass the --state-dir the running stack was started with",
            file=sys.stderr,
        )
        return 2
    print(issuer.mint(args.user, ttl_s=args.ttl))
    return 0


if __name__ == "__main__":
    sys.exit(main())
