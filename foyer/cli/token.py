"""`python -m foyer.cli.token [--user ada]`: a fresh token from the local issuer, for curl.

The local issuer's key lives under `.local/issuer/` (created on first use; `make dev` serves its JWKS
to the BFFs and the authorizer), so the token verifies against the running stack.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from foyer.devstack.issuer import DEMO_USER, LocalIssuer
from foyer.devstack.stack import ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m foyer.cli.token", description=__doc__)
    parser.add_argument("--user", default=DEMO_USER, help=f"the token's subject (default {DEMO_USER})")
    parser.add_argument("--ttl", type=int, default=3600, help="seconds the token stays valid (default 3600)")
    parser.add_argument(
        "--state-dir", type=Path, default=ROOT / ".local", help="where the issuer's key is kept"
    )
    args = parser.parse_args(argv)
    if args.ttl <= 0:
        parser.error("--ttl must be positive")
    print(LocalIssuer.ensure(args.state_dir / "issuer").mint(args.user, ttl_s=args.ttl))
    return 0


if __name__ == "__main__":
    sys.exit(main())
