"""`python -m devtools.devstack.consumers FUNCTION`: a function's SQS event source mappings, run as
Lambda would.

The mappings, their settings, the function's handler, timeout and environment all come from the
endpoint (the emulator, where Terraform created them), never from a list in Python. One process
per function, because a function's environment variables are process-wide, as they are in its
Lambda execution environment: they are applied before the handler's module is imported. Every
mapping of the function gets one poller thread; SIGINT or SIGTERM stops them after their batch.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator, MutableMapping, Sequence
from types import FrameType
from typing import TYPE_CHECKING

from devtools.devstack.lambda_context import Handler
from devtools.devstack.sqs_poller import SqsPoller, poller_from_mapping

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_lambda.type_defs import (
        EventSourceMappingConfigurationTypeDef,
        FunctionConfigurationResponseTypeDef,
    )
    from mypy_boto3_sqs import SQSClient

__all__ = [
    "function_handler",
    "load_handler",
    "main",
    "mapped_functions",
    "pollers_for_function",
    "receive_visibility",
    "serve",
    "sqs_mappings",
]

log = logging.getLogger(__name__)
STOP_TIMEOUT_SECONDS = 30.0  # a poller finishes its batch first; a handler has at most its timeout


def load_handler(spec: str) -> Handler:
    """The callable a Lambda `Handler` setting (`package.module.function`) names."""
    module_name, _, attribute = spec.rpartition(".")
    if not module_name:
        raise ValueError(f"handler {spec!r} is not module.function")
    handler: Handler = getattr(importlib.import_module(module_name), attribute)
    return handler


def sqs_mappings(
    lambda_client: LambdaClient, function_name: str | None = None
) -> Iterator[EventSourceMappingConfigurationTypeDef]:
    """Every event source mapping (of the function, when named) whose source is an SQS queue."""
    paginator = lambda_client.get_paginator("list_event_source_mappings")
    pages = paginator.paginate(FunctionName=function_name) if function_name else paginator.paginate()
    for page in pages:
        for mapping in page.get("EventSourceMappings", []):
            if mapping.get("EventSourceArn", "").startswith("arn:aws:sqs:"):
                yield mapping


def mapped_functions(lambda_client: LambdaClient) -> list[str]:
    """The names of the functions that some SQS queue feeds: one consumer process each."""
    return sorted({mapping["FunctionArn"].split(":")[6] for mapping in sqs_mappings(lambda_client)})


def pollers_for_function(
    function_name: str,
    *,
    lambda_client: LambdaClient,
    sqs: SQSClient,
    environ: MutableMapping[str, str] = os.environ,
) -> list[SqsPoller]:
    """One poller per SQS mapping of the function, its environment applied to `environ` first.
    `FOYER_SQS_DELIVERY=twice-shuffled` in `environ` turns on the pollers' fault option (every batch
    handed to the handler twice, shuffled); any other value but empty is refused.
    `FOYER_SQS_VISIBILITY_S=N` makes every receive pass `VisibilityTimeout=N` (see sqs_poller)."""
    twice_shuffled = delivery_fault(environ.get(DELIVERY_VARIABLE, ""))
    visibility_timeout_s = receive_visibility(environ.get(VISIBILITY_VARIABLE, ""))
    configuration, handler = function_handler(function_name, lambda_client=lambda_client, environ=environ)
    return [
        poller_from_mapping(
            mapping,
            configuration,
            handler,
            sqs,
            twice_shuffled=twice_shuffled,
            visibility_timeout_s=visibility_timeout_s,
        )
        for mapping in sqs_mappings(lambda_client, function_name)
    ]


DELIVERY_VARIABLE = "FOYER_SQS_DELIVERY"
TWICE_SHUFFLED = "twice-shuffled"


def delivery_fault(value: str) -> bool:
    """Whether `value` (of FOYER_SQS_DELIVERY) asks for twice-shuffled delivery. Raises ValueError
    for a value it does not know, so a typo never runs a stack without the fault it asked for."""
    if value not in ("", TWICE_SHUFFLED):
        raise ValueError(f"{DELIVERY_VARIABLE}={value!r}: expected {TWICE_SHUFFLED!r} or nothing")
    return value == TWICE_SHUFFLED


VISIBILITY_VARIABLE = "FOYER_SQS_VISIBILITY_S"
MAX_VISIBILITY_S = 43200  # the longest VisibilityTimeout SQS accepts (12 hours)


def receive_visibility(value: str) -> int | None:
    """The VisibilityTimeout `value` (of FOYER_SQS_VISIBILITY_S) asks every receive to pass, None
    when empty (the queue's own). Raises ValueError for anything but whole seconds SQS accepts,
    so a typo never runs a stack with timings it did not ask for."""
    if value == "":
        return None
    if not value.isdigit() or not 0 < int(value) <= MAX_VISIBILITY_S:
        raise ValueError(f"{VISIBILITY_VARIABLE}={value!r}: expected whole seconds, 1 to {MAX_VISIBILITY_S}")
    return int(value)


def function_handler(
    function_name: str, *, lambda_client: LambdaClient, environ: MutableMapping[str, str] = os.environ
) -> tuple[FunctionConfigurationResponseTypeDef, Handler]:
    """The function's configuration and its handler, imported after its environment is applied to
    `environ` (as its Lambda execution environment has it before the handler's module loads)."""
    configuration = lambda_client.get_function_configuration(FunctionName=function_name)
    environ.update(configuration.get("Environment", {}).get("Variables", {}))
    _forget_cached_settings()
    return configuration, load_handler(configuration["Handler"])


def _forget_cached_settings() -> None:
    # Settings and clients read the environment once per process; the function's variables change it.
    from foyer import aws, settings

    settings.platform.cache_clear()
    aws.reset()


def serve(pollers: Sequence[SqsPoller], stop: threading.Event) -> None:
    """Run every poller in its own thread until `stop` is set, then wait for their batches to end."""
    threads = [
        threading.Thread(target=p.run, args=(stop,), name=p.config.queue_arn, daemon=True) for p in pollers
    ]
    for thread in threads:
        thread.start()
    stop.wait()
    for thread in threads:
        thread.join(timeout=STOP_TIMEOUT_SECONDS)


def main(argv: list[str] | None = None) -> int:
    """Serve the function's SQS mappings until SIGINT or SIGTERM; 1 when it has none."""
    parser = argparse.ArgumentParser(prog="python -m devtools.devstack.consumers", description=__doc__)
    parser.add_argument("function", help="function name or ARN, as Terraform created it")
    args = parser.parse_args(argv)
    from foyer import logging as foyer_logging

    foyer_logging.setup(args.function)
    from foyer import aws

    # Where the emulator is: AWS_ENDPOINT_URL or .local/stack.json, as for every local client.
    lambda_client, sqs = aws.client("lambda"), aws.client("sqs")
    pollers = pollers_for_function(args.function, lambda_client=lambda_client, sqs=sqs)
    if not pollers:
        log.error("%s has no SQS event source mapping", args.function)
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    log.info("%s: polling %s", args.function, ", ".join(p.config.queue_arn for p in pollers))
    if any(p.config.twice_shuffled for p in pollers):
        log.warning(
            "%s: %s=%s: every batch is handed over twice, shuffled",
            args.function,
            DELIVERY_VARIABLE,
            TWICE_SHUFFLED,
        )
    visibility = pollers[0].config.visibility_timeout_s
    if visibility is not None:
        log.warning(
            "%s: %s=%d: a failed message comes back after %d s, not its queue's visibility timeout",
            args.function,
            VISIBILITY_VARIABLE,
            visibility,
            visibility,
        )
    serve(pollers, stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
