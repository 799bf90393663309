"""`make dev`: the whole platform on this machine, as Terraform declares it, with no AWS account.

Starts the AWS emulator, applies terraform/environments/local to it, starts every app Terraform
declares under uvicorn, seeds the demo catalog, prints a ready banner, and on Ctrl-C (or SIGTERM)
stops everything it started.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import boto3
from rich.console import Console
from rich.table import Table
from rich.text import Text

from devtools.devstack import consumers, processes, seed
from devtools.devstack.emulator import EMULATOR_PORT, Emulator
from devtools.devstack.issuer_server import DEFAULT_PORT as ISSUER_PORT
from devtools.devstack.issuer_server import jwks_url
from devtools.devstack.payment_sandbox.__main__ import DEFAULT_PORT as SANDBOX_PORT
from devtools.devstack.payment_sandbox.config import DEFAULT_API_KEY
from devtools.devstack.stack import GATEWAY_PORT_SHIFT, ISSUER_DIR, ROOT, LocalStack, provision
from foyer.upstream import transports

READY = "Foyer local stack is ready"
console = Console(highlight=False)
_COLOURS = ["cyan", "magenta", "green", "yellow", "blue", "bright_red", "bright_cyan", "bright_green"]


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devtools.devstack", description=__doc__)
    parser.add_argument(
        "--state-dir", type=Path, default=ROOT / ".local", help="where stack.json and state go"
    )
    parser.add_argument("--port-offset", type=int, default=0, help="shift every fixed port (a second stack)")
    parser.add_argument("--no-seed", action="store_true", help="leave the catalog empty")
    return parser.parse_args(argv)


def _sink(colours: dict[str, str]) -> Callable[[str, str], None]:
    def write(name: str, line: str) -> None:
        style = colours.setdefault(name, _COLOURS[len(colours) % len(_COLOURS)])
        console.print(Text.assemble((f"{name:>10} | ", style), line), soft_wrap=True)

    return write


def _banner(stack: LocalStack, stack_file: Path, elapsed: float) -> None:
    table = Table(title=f"{READY} ({elapsed:.1f} s)", title_justify="left", show_edge=False)
    table.add_column("app")
    table.add_column("URL")
    table.add_column("API docs")
    for name, url in stack.apps.items():
        table.add_row(name, url, f"{url}/docs")
    for name, url in stack.gateway.items():
        table.add_row(f"{name} (Lambda mode)", url, "")
    table.add_row("emulator", stack.endpoint, f"{stack.endpoint}/moto-api/")
    if stack.identity is not None:
        table.add_row("token issuer (JWKS)", stack.identity.jwks_url, "")
    console.print()
    console.print(table)
    console.print(f"stack file: {stack_file}")
    if "catalog" in stack.apps:
        console.print(f"try:        curl -s '{stack.apps['catalog']}/products?limit=3'")
    if stack.demo and stack.demo.user_token:
        console.print(
            "token:      TOKEN=$(.venv/bin/python -m devtools.cli.token)  # the demo user's, web and mobile"
        )
    console.print("stop:       Ctrl-C")


def _start_issuer(state_dir: Path, port: int, sink: Callable[[str, str], None]) -> processes.Child:
    """The local issuer's keys over HTTP (devtools.devstack.issuer_server), before Terraform is given
    their URL and before any app may fetch them."""
    argv = [sys.executable, "-m", "devtools.devstack.issuer_server", "--dir", str(state_dir / ISSUER_DIR)]
    child = processes.start(
        "issuer", [*argv, "--port", str(port)], env=processes.python_env({}), cwd=str(ROOT), sink=sink
    )
    processes.wait_healthy(child, f"http://127.0.0.1:{port}/health")
    return child


# Variables an app takes from its function's environment as Terraform set it. The rest of that
# environment names AWS resources (service URLs, tables) the local stack derives for itself.
FROM_TERRAFORM = ("CORS_ORIGINS", "PARTNER_PLANS")


def _as_terraform_sets(stack: LocalStack, name: str) -> dict[str, str]:
    """The FROM_TERRAFORM variables of app `name`'s function, read from the emulator."""
    import boto3

    client = boto3.client(
        "lambda",
        endpoint_url=stack.endpoint,
        region_name=stack.region,
        aws_access_key_id=stack.emulator.access_key_id,
        aws_secret_access_key=stack.emulator.secret_access_key,
    )
    configuration = client.get_function_configuration(FunctionName=stack.functions[name].function_name)
    variables: dict[str, str] = configuration.get("Environment", {}).get("Variables", {})
    return {key: value for key, value in variables.items() if key in FROM_TERRAFORM}


def _start_gateways(
    stack: LocalStack,
    env: dict[str, str],
    sink: Callable[[str, str], None],
    children: list[processes.Child],
) -> LocalStack:
    """Lambda mode: one local API Gateway per BFF API Terraform created (devtools.devstack.gateway), on the
    BFF's port + GATEWAY_PORT_SHIFT; returns the stack with their URLs under `gateway`."""
    urls: dict[str, str] = {}
    for name, api in stack.apis.items():
        port = stack.port(name) + GATEWAY_PORT_SHIFT
        argv = [sys.executable, "-m", "devtools.devstack.gateway", name, "--port", str(port)]
        # The handler calls services over the transport it has in Lambda (foyer.upstream.transports).
        lambda_env = {
            **env,
            **_as_terraform_sets(stack, name),
            "FOYER_SERVICE": name,
            transports.VARIABLE: "httpx",
        }
        child = processes.start(f"{name}-gw", argv, env=lambda_env, cwd=str(ROOT), sink=sink)
        children.append(child)
        processes.wait_healthy(child, f"http://127.0.0.1:{port}/health")
        urls[name] = f"http://127.0.0.1:{port}/{api.stage}"
    if urls:
        console.print(f"[green]✓[/] Lambda mode: {len(urls)} BFFs behind the local API Gateway")
    return stack.model_copy(update={"gateway": urls})


def _start_event_runtime(
    stack: LocalStack, env: dict[str, str], provider_url: str, sink: Callable[[str, str], None]
) -> list[processes.Child]:
    """What Lambda and the payment provider do around the apps: the sandbox provider, the outbox
    relays, one consumer process per function an SQS queue feeds (read from the emulator, where
    Terraform created the mappings), and one process per scheduled function (Terraform's outputs)."""
    started: list[processes.Child] = []
    port = provider_url.rsplit(":", 1)[1]
    sandbox = ["-m", "devtools.devstack.payment_sandbox", "--port", port, "--api-key", DEFAULT_API_KEY]
    started.append(processes.start("provider", [sys.executable, *sandbox], env=env, cwd=str(ROOT), sink=sink))
    processes.wait_healthy(started[-1], f"{provider_url}/health")
    if stack.outboxes and stack.event_bus:
        argv = [sys.executable, "-m", "devtools.devstack.relays", *stack.outboxes, "--bus", stack.event_bus]
        started.append(processes.start("relays", argv, env=env, cwd=str(ROOT), sink=sink))
    lambda_client = boto3.client(
        "lambda",
        endpoint_url=stack.endpoint,
        region_name=stack.region,
        aws_access_key_id=stack.emulator.access_key_id,
        aws_secret_access_key=stack.emulator.secret_access_key,
    )
    for function in consumers.mapped_functions(lambda_client):
        argv = [sys.executable, "-m", "devtools.devstack.consumers", function]
        name = function.removeprefix("foyer-local-")
        started.append(processes.start(name, argv, env=env, cwd=str(ROOT), sink=sink))
    for name, schedule in stack.schedules.items():
        every = str(schedule.local_interval_s)
        argv = [sys.executable, "-m", "devtools.devstack.schedules", schedule.function_name, "--every", every]
        started.append(processes.start(name, argv, env=env, cwd=str(ROOT), sink=sink))
    return started


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    state_dir: Path = args.state_dir.resolve()
    stack_file = state_dir / "stack.json"
    stack_file.unlink(missing_ok=True)  # never leave a description of a stack that is not running
    sink = _sink({})
    children: list[processes.Child] = []
    emulator = Emulator(EMULATOR_PORT + args.port_offset, log_path=state_dir / "emulator.log")
    try:
        with console.status("starting the AWS emulator (moto server)"):
            emulator.start()
        console.print(f"[green]✓[/] emulator on {emulator.endpoint}")

        issuer_port = ISSUER_PORT + args.port_offset
        children.append(_start_issuer(state_dir, issuer_port, sink))
        console.print(f"[green]✓[/] token issuer's keys on {jwks_url(issuer_port)}")

        provider_url = f"http://127.0.0.1:{SANDBOX_PORT + args.port_offset}"
        with console.status("terraform apply environments/local") as status:
            stack = provision(
                emulator.endpoint,
                state_dir,
                on_line=lambda line: status.update(f"terraform: {line}"),
                jwks_url=jwks_url(issuer_port),
                payment_provider_url=provider_url,
            ).shifted(args.port_offset)
        console.print(
            f"[green]✓[/] terraform applied: {len(stack.tables)} tables, {len(stack.functions)} functions"
        )

        env = processes.python_env(
            {**stack.aws_env(), "FOYER_ENV": "local", "FOYER_STACK_FILE": str(stack_file)}
        )
        urls: dict[str, str] = {}
        for name, module in stack.app_modules.items():
            app_port = stack.port(name)
            urls[name] = f"http://127.0.0.1:{app_port}"
            app_env = {**env, **_as_terraform_sets(stack, name), "FOYER_SERVICE": name}
            if name in stack.tables:
                app_env["TABLE_NAME"] = stack.tables[name]
            argv = processes.uvicorn_argv(module, app_port)
            children.append(processes.start(name, argv, env=app_env, cwd=str(ROOT), sink=sink))
        stack = stack.model_copy(update={"apps": urls})
        stack.write(stack_file)
        with console.status("waiting for every app's /health"):
            for child in children:
                if child.name in stack.apps:
                    processes.wait_healthy(child, f"{stack.apps[child.name]}/health")
        console.print(f"[green]✓[/] {len(stack.apps)} apps healthy")

        stack = _start_gateways(stack, env, sink, children)
        stack.write(stack_file)

        runtime = _start_event_runtime(stack, env, provider_url, sink)
        children.extend(runtime)
        consumer_count = sum(child.name not in {"provider", "relays", *stack.schedules} for child in runtime)
        console.print(
            f"[green]✓[/] event runtime: payment sandbox, {len(stack.outboxes)} outbox relays, "
            f"{consumer_count} consumer functions, {len(stack.schedules)} schedules"
        )

        if not args.no_seed and {"catalog", "inventory"} <= stack.apps.keys():
            with console.status("seeding the demo catalog"):
                count = seed.seed(stack.apps["catalog"], stack.apps["inventory"])
            console.print(f"[green]✓[/] seeded {count} products with stock")

        _banner(stack, stack_file, time.monotonic() - started)
        while not stop.wait(0.5):
            dead = [c for c in children if c.process.poll() is not None]
            if dead:
                console.print(f"[red]✗[/] {dead[0].name} exited with code {dead[0].process.returncode}")
                return 1
        console.print("stopping")
        return 0
    except Exception as exc:  # a clear one-line reason beats a traceback for a dev command
        console.print(f"[red]✗ {type(exc).__name__}:[/] {exc}")
        return 1
    finally:
        processes.stop_all(children)
        emulator.stop()
        stack_file.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
