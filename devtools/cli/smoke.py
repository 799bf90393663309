"""`python -m devtools.cli.smoke` (what `make smoke ENV=dev` runs): is a deployed environment working?

    --env ENV              a cloud root applied with `terraform apply` (terraform/environments/<ENV>):
                           its URLs and names come from `terraform output -json`, AWS from the usual
                           credential chain
    --stack-file PATH      the local stack in Lambda mode (`make dev` writes .local/stack.json): its
                           local API Gateway URLs, the demo partner key, the emulator

Checks, each reported PASS or FAIL with what it saw; the exit code is 1 when any fails:
    health <api>       GET /health through each API's stage answers 200 (with the partner key on partner)
    cors preflight     a browser's OPTIONS preflight of `POST /checkout` on web, from an allowed origin,
                       is admitted with Access-Control-Allow-Origin
    partner order      a partner order (quantity 1 of a listed product) reaches CONFIRMED or CANCELLED
    dead letters       every dead-letter queue of the environment is empty
    alarms             no CloudWatch alarm of the environment is in ALARM

The partner key is `--partner-key` or FOYER_SMOKE_PARTNER_KEY (a test partner's key); the origin is
`--origin`, else the first origin the web function admits (its CORS_ORIGINS).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import httpx
from botocore.exceptions import BotoCoreError, ClientError
from rich.console import Console

from devtools.cli.dead_letters import dead_letter_queues
from foyer.stack_file import LocalStack, StackFileError

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENTS = ROOT / "terraform" / "environments"
TERMINAL = frozenset({"CONFIRMED", "CANCELLED"})
ORDER_TIMEOUT_S = 120.0  # a bound on waiting for the saga, not a latency goal
POLL_S = 1.0
HTTP_TIMEOUT_S = 15.0
KEY_VARIABLE = "FOYER_SMOKE_PARTNER_KEY"
# The test partner whose key the smoke test reads from Secrets Manager when none is given.
SMOKE_PARTNER = "smoke"
# Liveness answers without credentials on web and mobile (uptime probes carry no user token); the
# partner API requires its key on every method, so that check sends the partner key.
HEALTH_PATH = "/health"
PREFLIGHT_HEADERS = "authorization,content-type,idempotency-key"
# An AWS call that fails (denied, unreachable, no credentials) fails its check with the reason.
AWS_ERRORS = (BotoCoreError, ClientError)


class TargetError(RuntimeError):
    """The environment to check cannot be read (no outputs, no stack file); the message says why."""


@dataclass(frozen=True)
class Target:
    """One deployed environment: its APIs' base URLs, names, and how to reach its AWS account."""

    apis: dict[str, str]  # BFF name -> base URL (a stage's invoke URL, or the local gateway's)
    name_prefix: str  # every resource name starts with it, e.g. "foyer-dev-"
    web_function: str | None  # the web BFF's function (its CORS_ORIGINS are the admitted origins)
    partner_key: str | None
    region: str
    endpoint: str | None = None  # the emulator; None: AWS
    credentials: dict[str, str] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        """A boto3 client of the environment's account (the emulator's, locally)."""
        return boto3.client(  # type: ignore[call-overload]  # the service name is a runtime string
            service, region_name=self.region, endpoint_url=self.endpoint, **self.credentials
        )


@dataclass(frozen=True)
class Result:
    check: str
    passed: bool
    detail: str


def _name_prefix(functions: dict[str, str]) -> str:
    """`app -> function name` ({"web": "foyer-dev-web"}) -> the prefix they share ("foyer-dev-")."""
    prefixes = {name.removesuffix(app) for app, name in functions.items() if name.endswith(app)}
    if len(prefixes) != 1:
        raise TargetError(f"the functions share no name prefix: {sorted(functions.values())}")
    return prefixes.pop()


def target_from_stack(path: Path, partner_key: str | None = None) -> Target:
    """The local stack in Lambda mode, as `make dev` describes it in its stack file."""
    try:
        stack = LocalStack.read(path)
    except StackFileError as error:
        raise TargetError(str(error)) from error
    if stack is None:
        raise TargetError(f"no stack file at {path}: start the local stack with `make dev`")
    if not stack.gateway:
        raise TargetError(f"{path} lists no local API Gateway (Lambda mode): restart `make dev`")
    functions = {app: function.function_name for app, function in stack.functions.items()}
    return Target(
        apis=dict(stack.gateway),
        name_prefix=_name_prefix(functions),
        web_function=functions.get("web"),
        partner_key=partner_key or (stack.demo.partner_api_key if stack.demo else None),
        region=stack.region,
        endpoint=stack.endpoint,
        credentials={
            "aws_access_key_id": stack.emulator.access_key_id,
            "aws_secret_access_key": stack.emulator.secret_access_key,
        },
    )


def terraform_outputs(root: Path) -> dict[str, Any]:
    """`terraform output -json` of an initialised root, values only."""
    try:
        completed = subprocess.run(
            ["terraform", "output", "-json", "-no-color"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
    except FileNotFoundError as error:
        raise TargetError("terraform is not on PATH") from error
    if completed.returncode != 0:
        raise TargetError(f"`terraform output` failed in {root}:\n{completed.stderr.strip()}")
    outputs = {name: entry["value"] for name, entry in json.loads(completed.stdout or "{}").items()}
    if "platform" not in outputs:
        raise TargetError(
            f"{root} has no `platform` output: run `terraform init` and `terraform apply` there first"
        )
    return outputs


def target_from_outputs(outputs: dict[str, Any], partner_key: str | None = None) -> Target:
    """A cloud root's environment from its outputs (output `platform`: apis, functions, ...)."""
    platform = outputs["platform"]
    apis = {name: api["invoke_url"].rstrip("/") for name, api in platform["apis"].items()}
    functions = {app: function["function_name"] for app, function in platform["functions"].items()}
    # https://<id>.execute-api.<region>.amazonaws.com/<stage>
    host = urlsplit(next(iter(apis.values()))).hostname or ""
    region = host.split(".")[2] if ".execute-api." in host else os.environ.get("AWS_REGION", "")
    if not region:
        raise TargetError(f"cannot tell the region from {host!r}: set AWS_REGION")
    target = Target(
        apis=apis,
        name_prefix=_name_prefix(functions),
        web_function=functions.get("web"),
        partner_key=partner_key,
        region=region,
    )
    if partner_key is None:
        target = replace(target, partner_key=smoke_partner_key(target))
    return target


def smoke_partner_key(target: Target) -> str | None:
    """The value of the `smoke` partner's key, issued once per environment by devtools.cli.partner_keys
    (docs/deploy.md), read from the secret it keeps it in; None if there is none."""
    secret = f"{target.name_prefix.rstrip('-')}/partner-api-keys/{SMOKE_PARTNER}"
    try:
        stored = target.client("secretsmanager").get_secret_value(SecretId=secret)
        value = json.loads(stored["SecretString"]).get("api_key")
    except (*AWS_ERRORS, ValueError, KeyError):
        return None
    return value if isinstance(value, str) and value else None


# -- the checks ---------------------------------------------------------------------------------


def check_health(http: httpx.Client, target: Target) -> list[Result]:
    """GET /health through every API's stage."""
    results = []
    for name, url in sorted(target.apis.items()):
        headers = {"x-api-key": target.partner_key} if name == "partner" and target.partner_key else {}
        try:
            answer = http.get(f"{url}{HEALTH_PATH}", headers=headers)
        except httpx.HTTPError as error:
            results.append(Result(f"health {name}", False, f"{url}{HEALTH_PATH}: {error!r}"))
            continue
        healthy = answer.status_code == 200 and _json(answer).get("status") == "ok"
        results.append(Result(f"health {name}", healthy, f"GET {url}{HEALTH_PATH} -> {_said(answer)}"))
    return results


def admitted_origin(target: Target, origin: str | None) -> str | None:
    """The origin to preflight from: `origin`, else the first one the web function admits."""
    if origin or target.web_function is None:
        return origin
    configuration = target.client("lambda").get_function_configuration(FunctionName=target.web_function)
    admitted = configuration.get("Environment", {}).get("Variables", {}).get("CORS_ORIGINS", "")
    return next((o.strip() for o in admitted.split(",") if o.strip()), None)


def check_preflight(http: httpx.Client, target: Target, origin: str | None) -> Result:
    """A browser's preflight of `POST /checkout` on web, as Chrome sends it (no Authorization)."""
    name = "cors preflight web"
    if "web" not in target.apis:
        return Result(name, False, "the environment has no web API")
    try:
        origin = admitted_origin(target, origin)
    except AWS_ERRORS as error:
        return Result(name, False, f"cannot read the web function's CORS_ORIGINS: {error}")
    if origin is None:
        return Result(
            name,
            False,
            "the web function admits no origin (CORS_ORIGINS is empty); pass --origin to test one",
        )
    url = f"{target.apis['web']}/checkout"
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": PREFLIGHT_HEADERS,
    }
    try:
        answer = http.options(url, headers=headers)
    except httpx.HTTPError as error:
        return Result(name, False, f"OPTIONS {url}: {error!r}")
    allowed = answer.headers.get("access-control-allow-origin")
    methods = answer.headers.get("access-control-allow-methods", "")
    ok = answer.status_code in (200, 204) and allowed == origin and "POST" in methods.upper()
    return Result(
        name,
        ok,
        f"OPTIONS {url} from {origin} -> {answer.status_code}, "
        f"Access-Control-Allow-Origin: {allowed}, Access-Control-Allow-Methods: {methods or None}",
    )


def check_partner_order(
    http: httpx.Client,
    target: Target,
    sku: str | None,
    timeout_s: float = ORDER_TIMEOUT_S,
    clock: Callable[[], float] = time.monotonic,
) -> Result:
    """One partner order of one unit, followed until the saga settles it (either way)."""
    name = "partner order"
    base, key = target.apis.get("partner"), target.partner_key
    if base is None:
        return Result(name, False, "the environment has no partner API")
    if not key:
        return Result(
            name,
            False,
            f"no partner key: issue the {SMOKE_PARTNER!r} partner's once "
            f"(python -m devtools.cli.partner_keys issue {SMOKE_PARTNER} --tier <tier> --prefix <prefix>), "
            f"or pass --partner-key / {KEY_VARIABLE}",
        )
    headers = {"x-api-key": key}
    try:
        if sku is None:
            listed = http.get(f"{base}/v1/products", params={"limit": 1}, headers=headers)
            items = _json(listed).get("items") if listed.status_code == 200 else None
            if not items:
                return Result(name, False, f"GET {base}/v1/products -> {_said(listed)}: no product to order")
            sku = str(items[0]["sku"])
        reference = f"smoke-{uuid.uuid4().hex[:12]}"
        placed = http.post(
            f"{base}/v1/orders",
            json={"lines": [{"sku": sku, "quantity": 1}], "reference": reference},
            headers={**headers, "Idempotency-Key": reference},
        )
        if placed.status_code != 201:
            return Result(name, False, f"POST {base}/v1/orders -> {_said(placed)}")
        order_id = str(placed.json()["order_id"])
        deadline, status = clock() + timeout_s, str(placed.json().get("status"))
        while status not in TERMINAL and clock() < deadline:
            time.sleep(POLL_S)
            seen = http.get(f"{base}/v1/orders/{order_id}", headers=headers)
            if seen.status_code != 200:
                return Result(name, False, f"GET {base}/v1/orders/{order_id} -> {_said(seen)}")
            status = str(seen.json().get("status"))
    except httpx.HTTPError as error:
        return Result(name, False, f"{base}: {error!r}")
    if status not in TERMINAL:
        return Result(name, False, f"order {order_id} of {sku} still {status} after {timeout_s:.0f} s")
    return Result(name, True, f"order {order_id} of {sku} reached {status}")


def check_dead_letters(target: Target) -> Result:
    """Every dead-letter queue whose name carries the environment's prefix is empty."""
    name = "dead letters"
    try:
        queues = [
            q for q in dead_letter_queues(target.client("sqs")) if q.queue.name.startswith(target.name_prefix)
        ]
    except AWS_ERRORS as error:
        return Result(name, False, f"cannot list the queues: {error}")
    if not queues:
        return Result(
            name, False, f"no dead-letter queue named {target.name_prefix}*: wrong account or region?"
        )
    holding = [f"{q.queue.name} ({q.visible + q.in_flight})" for q in queues if q.visible + q.in_flight]
    if holding:
        return Result(name, False, f'not empty: {", ".join(holding)} (make dlq ARGS="show QUEUE")')
    return Result(name, True, f"{len(queues)} dead-letter queues, all empty")


def check_alarms(target: Target) -> Result:
    """No alarm whose name carries the environment's prefix is in ALARM."""
    name = "alarms"
    try:
        pages = target.client("cloudwatch").get_paginator("describe_alarms")
        alarms = [
            alarm
            for page in pages.paginate(AlarmNamePrefix=target.name_prefix)
            for alarm in [*page.get("MetricAlarms", []), *page.get("CompositeAlarms", [])]
        ]
    except AWS_ERRORS as error:
        return Result(name, False, f"cannot list the alarms: {error}")
    firing = sorted(alarm["AlarmName"] for alarm in alarms if alarm["StateValue"] == "ALARM")
    if firing:
        return Result(name, False, f"in ALARM: {', '.join(firing)}")
    return Result(name, True, f"{len(alarms)} alarms named {target.name_prefix}*, none in ALARM")


def run_checks(
    target: Target, *, origin: str | None = None, sku: str | None = None, http: httpx.Client | None = None
) -> list[Result]:
    """Every check against `target`, each independent of the others' outcome."""
    client = http or httpx.Client(timeout=HTTP_TIMEOUT_S)
    try:
        return [
            *check_health(client, target),
            check_preflight(client, target, origin),
            check_partner_order(client, target, sku),
            check_dead_letters(target),
            check_alarms(target),
        ]
    finally:
        if http is None:
            client.close()


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _said(answer: httpx.Response) -> str:
    """A status and the start of the body, for a report line."""
    body = " ".join(answer.text.split())
    return f"{answer.status_code} {body[:200]}".rstrip()


def report(results: Sequence[Result], console: Console) -> int:
    """Print one line per check; 0 when all passed, 1 otherwise."""
    for result in results:
        mark = "[green]PASS[/]" if result.passed else "[red]FAIL[/]"
        console.print(f"{mark} {result.check}: {result.detail}", highlight=False, markup=True, soft_wrap=True)
    failed = [r.check for r in results if not r.passed]
    if failed:
        console.print(f"[red]{len(failed)} of {len(results)} checks failed:[/] {', '.join(failed)}")
        return 1
    console.print(f"[green]all {len(results)} checks passed[/]")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.cli.smoke",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--env", help="a cloud root under terraform/environments, applied and initialised")
    where.add_argument("--stack-file", type=Path, help="the local stack's description (.local/stack.json)")
    parser.add_argument(
        "--partner-key", default=os.environ.get(KEY_VARIABLE), help="a test partner's API key"
    )
    parser.add_argument("--origin", help="the browser origin to preflight from (default: the web function's)")
    parser.add_argument("--sku", help="the product the partner order asks for (default: the first listed)")
    return parser


def main(argv: list[str] | None = None, *, console: Console | None = None) -> int:
    """Run every check; 0 when all pass, 1 when one fails, 2 when the environment cannot be read."""
    args = _parser().parse_args(argv)
    console = console or Console()
    try:
        if args.stack_file is not None:
            target = target_from_stack(args.stack_file, args.partner_key)
        else:
            root = ENVIRONMENTS / args.env
            if not root.is_dir():
                raise TargetError(f"no root terraform/environments/{args.env}")
            target = target_from_outputs(terraform_outputs(root), args.partner_key)
    except TargetError as error:
        console.print(f"[red]cannot check the environment:[/] {error}", highlight=False)
        return 2
    return report(run_checks(target, origin=args.origin, sku=args.sku), console)


if __name__ == "__main__":
    sys.exit(main())
