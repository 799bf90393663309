"""`python -m devtools.devstack.schedules FUNCTION --every SECONDS`: a scheduled function, run as its
EventBridge schedule would run it.

The emulator runs no Lambda on a schedule, so the local stack calls the function's handler itself,
every `local_interval_s` of Terraform's `schedules` output (shorter than the cloud's rate, so the
effect shows while a developer watches). The handler, its timeout and its environment come from the
function's configuration in the emulator, as for the consumers: one process per function, its
environment applied before the handler's module is imported. The event is the shape EventBridge
sends a scheduled target. A failed run is logged and the next one comes on time, as in AWS (whose
asynchronous retries a reconciler does not need: the next run does the same work). SIGINT or
SIGTERM stops it after the current run.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import uuid
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from devtools.devstack.consumers import function_handler
from devtools.devstack.lambda_context import Handler, LambdaFunction

__all__ = ["main", "run_once", "scheduled_event", "serve"]

log = logging.getLogger(__name__)


def scheduled_event(rule_arn: str, region: str, account: str, now: datetime | None = None) -> dict[str, Any]:
    """The event EventBridge passes a target of the schedule rule `rule_arn`."""
    at = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": at,
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }


def run_once(handler: Handler, function: LambdaFunction, event: dict[str, Any]) -> bool:
    """One invocation; False (logged) when the handler raised."""
    try:
        result = handler(event, function.context())
    except Exception:
        log.exception("scheduled run of %s failed", function.name)
        return False
    log.debug("scheduled run of %s: %s", function.name, result)
    return True


def serve(
    handler: Handler, function: LambdaFunction, every_s: float, stop: threading.Event, *, region: str
) -> None:
    """Invoke `handler` every `every_s` seconds (the first at once) until `stop` is set."""
    account = function.arn.split(":")[4]
    rule_arn = f"arn:aws:events:{region}:{account}:rule/{function.name}"
    while not stop.is_set():
        run_once(handler, function, scheduled_event(rule_arn, region, account))
        stop.wait(every_s)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.devstack.schedules", description=__doc__)
    parser.add_argument("function", help="function name, as Terraform created it")
    parser.add_argument("--every", type=float, required=True, help="seconds between runs")
    args = parser.parse_args(argv)
    from foyer import aws
    from foyer import logging as foyer_logging

    foyer_logging.setup(args.function)
    lambda_client = aws.client("lambda")
    configuration, handler = function_handler(args.function, lambda_client=lambda_client)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    log.info("%s: every %.0f s", args.function, args.every)
    region = lambda_client.meta.region_name
    serve(handler, LambdaFunction.from_configuration(configuration), args.every, stop, region=region)
    return 0


if __name__ == "__main__":
    sys.exit(main())
