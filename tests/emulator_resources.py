"""Emulator resources for the platform's and dev tooling's tests, each test with its own names: SQS
queues (poller and DLQ tests) and functions. The service-shaped tables (`service_table`,
`sort_keyed_table`) come from tests/conftest.py: the services' consumer tests use them too.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from devtools.devstack.emulator import Emulator
from foyer import aws, settings

REGION = "eu-west-1"


def emulator_client(emulator: Emulator, service: str) -> Any:
    """A boto3 client for `service` pointed at the emulator (plain, no retries to hide errors)."""
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=emulator.endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


@dataclass(frozen=True)
class Queue:
    name: str
    url: str
    arn: str

    def depth(self, sqs: Any) -> tuple[int, int]:
        """(visible, in flight) messages."""
        attributes = sqs.get_queue_attributes(
            QueueUrl=self.url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]), int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )


@dataclass(frozen=True)
class QueueWithDlq:
    source: Queue
    dlq: Queue


@pytest.fixture
def aws_client(emulator: Emulator) -> Callable[[str], Any]:
    """`aws_client("lambda")`: a client for that service pointed at the session's emulator."""
    return lambda service: emulator_client(emulator, service)


@pytest.fixture
def sqs(emulator: Emulator) -> Any:
    return emulator_client(emulator, "sqs")


def create_queue(sqs: Any, name: str, **attributes: str) -> Queue:
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return Queue(name, url, arn)


@pytest.fixture
def queue_with_dlq(sqs: Any) -> Callable[..., QueueWithDlq]:
    """Makes a queue whose redrive policy moves a message to its own DLQ after `max_receive_count`."""

    def make(
        *, max_receive_count: int = 3, visibility_timeout: int = 1, dlq_suffix: str = "-dlq"
    ) -> QueueWithDlq:
        name = f"t-{uuid.uuid4().hex[:10]}"
        dlq = create_queue(sqs, f"{name}{dlq_suffix}")
        policy = {"deadLetterTargetArn": dlq.arn, "maxReceiveCount": max_receive_count}
        source = create_queue(
            sqs, name, VisibilityTimeout=str(visibility_timeout), RedrivePolicy=json.dumps(policy)
        )
        return QueueWithDlq(source, dlq)

    return make


@pytest.fixture
def lambda_function(aws_client: Callable[[str], Any]) -> Callable[..., None]:
    """Creates a function in the emulator as Terraform would (its code is a placeholder: never run)."""

    def create(name: str, handler: str, **settings: Any) -> None:
        role = aws_client("iam").create_role(RoleName=name, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as archive:
            archive.writestr("placeholder.py", "")
        aws_client("lambda").create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler=handler,
            Code={"ZipFile": code.getvalue()},
            **({"Timeout": 10} | settings),
        )

    return create


@pytest.fixture
def foyer_aws(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """foyer.aws's clients pointed at the session's emulator for one test (as a function's environment
    points them at AWS), forgotten afterwards."""
    for name, value in {
        "AWS_ENDPOINT_URL": emulator.endpoint,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
    }.items():
        monkeypatch.setenv(name, value)
    aws.reset()
    settings.platform.cache_clear()
    yield
    aws.reset()
    settings.platform.cache_clear()


@dataclass
class Clock:
    """A monotonic clock that moves only when a test moves it (`clock.now += 60`)."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()
