"""An EventBridge bus whose rule targets an SQS queue, in the session's emulator, per test."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devtools.devstack.stack import LocalStack
from foyer import aws
from foyer.dynamodb import Table
from foyer.events import Envelope, Outbox, Relay, new_event

HERE = Path(__file__).parent
# A bound on waiting for deliveries (each receive waits at most 1 s), never an assertion on time.
MAX_RECEIVES = 20
SOURCE = "foyer.test"
# The rule matches the tests' own events and the orders events of the stream fixture.
SOURCES = [SOURCE, "foyer.orders"]


@dataclass
class BusToQueue:
    """A bus, and the queue its one rule (every event from SOURCES) delivers to."""

    bus: str
    queue_url: str

    def receive(self, expected: int) -> list[dict[str, Any]]:
        """Message bodies (EventBridge events): until `expected` arrived (bounded), then whatever else
        one more receive finds, so a test sees duplicates too."""
        bodies: list[dict[str, Any]] = []
        for _ in range(MAX_RECEIVES):
            bodies.extend(self._receive_once())
            if len(bodies) >= expected:
                break
        bodies.extend(self._receive_once())
        return bodies

    def _receive_once(self) -> list[dict[str, Any]]:
        sqs = aws.client("sqs")
        answer = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        messages = answer.get("Messages", [])
        for message in messages:
            sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return [json.loads(message["Body"]) for message in messages]


@pytest.fixture
def bus_to_queue(stack: LocalStack) -> Iterator[BusToQueue]:
    events, sqs = aws.client("events"), aws.client("sqs")
    name = f"platform-test-{uuid.uuid4().hex[:12]}"
    events.create_event_bus(Name=name)
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(Name=name, EventBusName=name, EventPattern=json.dumps({"source": SOURCES}))
    events.put_targets(Rule=name, EventBusName=name, Targets=[{"Id": "queue", "Arn": queue_arn}])
    yield BusToQueue(name, queue_url)
    events.remove_targets(Rule=name, EventBusName=name, Ids=["queue"])
    events.delete_rule(Name=name, EventBusName=name)
    events.delete_event_bus(Name=name)
    sqs.delete_queue(QueueUrl=queue_url)


@pytest.fixture
def make_event() -> Callable[..., Envelope]:
    """`make_event(n)`: a new `ThingHappened` event from `foyer.test` (the source the rule matches)."""

    def make(n: int = 0, type_: str = "ThingHappened") -> Envelope:
        return new_event(type_, {"n": n}, source=SOURCE)

    return make


@pytest.fixture
def fixture_file() -> Callable[[str], Any]:
    """`fixture_file(name)`: a JSON file of this folder (real event shapes), parsed."""
    return lambda name: json.loads((HERE / name).read_text())


@pytest.fixture
def outbox(service_table: Table) -> Outbox:
    return Outbox(service_table)


@pytest.fixture
def relay(outbox: Outbox, bus_to_queue: BusToQueue) -> Relay:
    return Relay(outbox, bus_to_queue.bus)
