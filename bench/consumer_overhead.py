"""Consumer overhead: messages per second through one local SQS poller calling a no-op handler,
divided by raw receive + delete throughput against the same emulator in the same run (target >= 0.5).

Both sides drain a queue holding the same number of messages (the emulator's receive scans the
whole queue, so depth changes the cost of every receive), with the same client configuration, in
interleaved rounds so drift hits both alike; the ratio is that of the medians.
- raw: `receive_message` (10 at a time, no attributes) and `delete_message_batch`, nothing else.
- poller: `SqsPoller.poll_once` with batch size 10 and no batching window (Lambda's defaults for a
  standard queue): every attribute requested, the Lambda event and context built, the handler
  called, its answer read as a partial batch response, the batch deleted.
"""

from __future__ import annotations

import statistics
import time
import uuid
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from rich.console import Console
from rich.table import Table

from devtools.devstack.emulator import Emulator
from devtools.devstack.lambda_context import LambdaFunction
from devtools.devstack.sqs_poller import PollerConfig, SqsPoller

TARGET = 0.5
MESSAGES = 100  # per round and side
ROUNDS = 7
REGION = "eu-west-1"


@dataclass(frozen=True)
class Report:
    poller: list[float]  # messages per second, one figure per round
    raw: list[float]
    messages: int

    @property
    def ratio(self) -> float:
        return statistics.median(self.poller) / statistics.median(self.raw)

    @property
    def own_ms_per_message(self) -> float:
        """Time per message the poller adds to the raw receive + delete."""
        return 1e3 / statistics.median(self.poller) - 1e3 / statistics.median(self.raw)


def _client(endpoint: str) -> Any:
    # The settings foyer.aws gives every client, so the comparison is of the code around it.
    config = Config(retries={"mode": "standard", "max_attempts": 3}, max_pool_connections=32)
    return boto3.client(
        "sqs",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=config,
    )


def _fill(sqs: Any, messages: int) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=f"bench-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    body = '{"type": "OrderPlaced", "version": 1, "data": {"order_id": "o-1"}}'
    for start in range(0, messages, 10):
        entries = [{"Id": str(i), "MessageBody": body} for i in range(min(10, messages - start))]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    return url, arn


def _raw(sqs: Any, url: str, messages: int) -> float:
    done = 0
    started = time.perf_counter()
    while done < messages:
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if received:
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received)]
            sqs.delete_message_batch(QueueUrl=url, Entries=entries)
            done += len(received)
    return messages / (time.perf_counter() - started)


def _no_op(event: dict[str, Any], context: Any) -> None:
    return None


def _poller(sqs: Any, url: str, arn: str, messages: int) -> float:
    function = LambdaFunction(
        name="bench-consumer", arn=f"arn:aws:lambda:{REGION}:123456789012:function:bench"
    )
    poller = SqsPoller(
        PollerConfig(queue_url=url, queue_arn=arn, report_batch_item_failures=True), function, _no_op, sqs
    )
    done = 0
    started = time.perf_counter()
    while done < messages:
        outcome = poller.poll_once()
        done += len(outcome.deleted) if outcome else 0
    return messages / (time.perf_counter() - started)


def measure(messages: int = MESSAGES, rounds: int = ROUNDS) -> Report:
    """Both throughputs over `rounds` interleaved rounds against one fresh emulator."""
    poller: list[float] = []
    raw: list[float] = []
    with Emulator() as emulator:
        sqs = _client(emulator.endpoint)
        for round_ in range(rounds):
            sides = [("raw", raw), ("poller", poller)]
            for side, figures in sides if round_ % 2 == 0 else reversed(sides):
                url, arn = _fill(sqs, messages)
                figures.append(
                    _raw(sqs, url, messages) if side == "raw" else _poller(sqs, url, arn, messages)
                )
                sqs.delete_queue(QueueUrl=url)
    return Report(poller=poller, raw=raw, messages=messages)


def run(console: Console) -> Report:
    """Measure and print the table (what `python -m bench` calls)."""
    with console.status("measuring one SQS poller against raw receive + delete"):
        report = measure()
    table = Table(title="SQS consumer overhead: local poller with a no-op handler vs raw receive + delete")
    for column in ("metric", "poller", "raw", "ratio", "target", "met"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    table.add_row(
        "throughput",
        f"{statistics.median(report.poller):.0f} msg/s",
        f"{statistics.median(report.raw):.0f} msg/s",
        f"{report.ratio:.2f}",
        f">= {TARGET:.2f}",
        "[green]met[/]" if report.ratio >= TARGET else "[red]missed[/]",
    )
    console.print(table)
    console.print(
        f"median of {len(report.raw)} interleaved rounds per side, each draining {report.messages} messages "
        f"from a fresh queue in a fresh emulator; batch size 10, no batching window; "
        f"the poller's own share: {report.own_ms_per_message:.2f} ms per message"
    )
    return report


if __name__ == "__main__":
    run(Console())
