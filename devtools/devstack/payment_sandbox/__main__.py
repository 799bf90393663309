"""`python -m devtools.devstack.payment_sandbox --port N --seed S --error-rate R --latency-ms L`."""

from __future__ import annotations

import argparse

import uvicorn

from devtools.devstack.payment_sandbox.app import create_app
from devtools.devstack.payment_sandbox.config import DEFAULT_API_KEY, FAULTS, SandboxConfig

# Beside the apps' 80xx and 81xx ports (terraform/environments/local) and clear of `--port-offset`.
DEFAULT_PORT = 8199


def parse(argv: list[str] | None = None) -> tuple[SandboxConfig, str, int]:
    """The sandbox's configuration, host and port from the command line."""
    parser = argparse.ArgumentParser(prog="python -m devtools.devstack.payment_sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--seed", type=int, default=0, help="seed of the fault draws")
    parser.add_argument("--error-rate", type=float, default=0.0, help="share of charges failing transiently")
    parser.add_argument("--latency-ms", type=int, default=0, help="added to every /v1 request")
    parser.add_argument("--hang-ms", type=int, default=10_000, help="how long a timed-out charge takes")
    parser.add_argument("--retry-after", type=int, default=1, help="seconds a 429 or 503 asks to wait")
    parser.add_argument("--faults", default=",".join(FAULTS), help="the faults to draw from, comma-separated")
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        help=f"a key it accepts (repeatable; {DEFAULT_API_KEY})",
    )
    args = parser.parse_args(argv)
    try:
        config = SandboxConfig(
            api_keys=frozenset(args.api_keys or [DEFAULT_API_KEY]),
            seed=args.seed,
            error_rate=args.error_rate,
            latency_ms=args.latency_ms,
            hang_ms=args.hang_ms,
            retry_after_s=args.retry_after,
            faults=tuple(f.strip() for f in args.faults.split(",") if f.strip()),
        )
    except ValueError as exc:
        parser.error(str(exc))
    return config, args.host, args.port


def main(argv: list[str] | None = None) -> None:
    config, host, port = parse(argv)
    uvicorn.run(create_app(config), host=host, port=port, lifespan="off", access_log=False)


if __name__ == "__main__":
    main()
