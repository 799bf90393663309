"""The notifications service against the emulator: its table, an SNS topic read back through an SQS
subscription, a verified SES sender, the consumer wired to them, and the mail the emulator kept.

Its table, topic and sender identity are created here, with the shapes store.py and settings.py
document, so these tests need no Terraform apply.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from devtools.devstack.sqs_event import sqs_event
from devtools.devstack.stack import LocalStack
from foyer import aws
from foyer.dynamodb import Table
from foyer.events.processed import TTL_ATTRIBUTE
from services.notifications import consumers
from services.notifications.notifier import Notifier
from services.notifications.senders import Mailer, Topic
from services.notifications.store import NotificationsStore

HERE = Path(__file__).parent
SENDER = "notifications@foyer.example"
# A bound on waiting for SNS deliveries (each receive waits at most 1 s), never an assertion on time.
MAX_RECEIVES = 10
QUEUE_ARN = "arn:aws:sqs:eu-west-1:123456789012:notifications"


@pytest.fixture
def table(stack: LocalStack) -> Iterator[Table]:
    client = aws.client("dynamodb")
    name = f"notifications-test-{uuid.uuid4().hex[:8]}"
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )
    client.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE}
    )
    yield Table(name)
    client.delete_table(TableName=name)


@dataclass
class TopicInbox:
    """An SNS topic and the SQS queue subscribed to it (not raw: bodies are SNS notifications)."""

    arn: str
    queue_url: str

    def receive(self, expected: int) -> list[dict[str, Any]]:
        """The notifications delivered: until `expected` arrived (bounded), then whatever one more
        receive finds, so a test sees a duplicate too."""
        found: list[dict[str, Any]] = []
        for _ in range(MAX_RECEIVES):
            if len(found) >= expected:
                break
            found.extend(self._receive_once())
        found.extend(self._receive_once())
        return found

    def _receive_once(self) -> list[dict[str, Any]]:
        sqs = aws.client("sqs")
        answer = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        messages = answer.get("Messages", [])
        for message in messages:
            sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return [json.loads(message["Body"]) for message in messages]


@pytest.fixture
def topic(stack: LocalStack) -> Iterator[TopicInbox]:
    sns, sqs = aws.client("sns"), aws.client("sqs")
    name = f"notifications-test-{uuid.uuid4().hex[:8]}"
    arn = sns.create_topic(Name=name)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    subscription = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    yield TopicInbox(arn, queue_url)
    sns.unsubscribe(SubscriptionArn=subscription)
    sns.delete_topic(TopicArn=arn)
    sqs.delete_queue(QueueUrl=queue_url)


@pytest.fixture
def sender(stack: LocalStack) -> str:
    """A verified SES identity to send from (creating it again is harmless)."""
    aws.client("sesv2").create_email_identity(EmailIdentity=SENDER)
    return SENDER


@pytest.fixture
def store(table: Table) -> NotificationsStore:
    return NotificationsStore(table)


@pytest.fixture
def notifier(store: NotificationsStore, topic: TopicInbox, sender: str) -> Notifier:
    return Notifier(store, Mailer(sender), Topic(topic.arn))


@pytest.fixture
def deliver(notifier: Notifier, monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[str]]:
    """`deliver(body, ...)`: one SQS batch of these message bodies through `consumers.handler`, wired
    to this test's notifier; the message ids it reports failed, by position (`m0`, `m1`, ...)."""
    monkeypatch.setattr(consumers, "get_notifier", lambda: notifier)

    def run(*bodies: Any) -> list[str]:
        messages = [
            {
                "MessageId": f"m{i}",
                "ReceiptHandle": f"handle-{i}",
                "Body": body if isinstance(body, str) else json.dumps(body),
                "MD5OfBody": "-",
                "Attributes": {"ApproximateReceiveCount": "1"},
            }
            for i, body in enumerate(bodies)
        ]
        answer = consumers.handler(sqs_event(messages, QUEUE_ARN, "eu-west-1"), None)
        return [failure["itemIdentifier"] for failure in answer["batchItemFailures"]]

    return run


@pytest.fixture
def order_event() -> Callable[..., dict[str, Any]]:
    """`order_event("order_confirmed", reason=...)`: that fixture file's EventBridge event (an SQS
    body), with a fresh event id, order id, correlation id and customer address, `data` updated."""

    def make(name: str, **data: Any) -> dict[str, Any]:
        event: dict[str, Any] = json.loads((HERE / f"{name}.json").read_text())
        envelope = event["detail"]
        envelope["id"] = str(uuid.uuid4())
        envelope["correlation_id"] = f"corr-{uuid.uuid4().hex}"
        envelope["data"].update(
            order_id=f"ord-{uuid.uuid4().hex[:10]}", contact_email=f"c-{uuid.uuid4().hex[:10]}@example.com"
        )
        envelope["data"].update(data)
        return event

    return make


@pytest.fixture
def mailbox(stack: LocalStack) -> Callable[[str], list[dict[str, Any]]]:
    """`mailbox(address)`: the e-mails the emulator keeps as sent to `address` (subject, body, source),
    from `<endpoint>/moto-api/data.json` (sesv2 sends are kept by moto's SES backend, as `ses.Message`)."""

    def sent_to(address: str) -> list[dict[str, Any]]:
        data = httpx.get(f"{stack.endpoint}/moto-api/data.json", timeout=10).json()
        return [
            message
            for message in data.get("ses", {}).get("Message", [])
            if address in message["destinations"].get("ToAddresses", [])
        ]

    return sent_to
