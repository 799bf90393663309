"""The emulator's own patches (devtools/devstack/moto_server.py), observed through its HTTP API."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from devtools.devstack.emulator import Emulator

pytestmark = pytest.mark.integration


def test_data_json_answers_while_functions_exist_and_holds_the_mail_sesv2_sent(
    emulator: Emulator, lambda_function: Callable[..., None], aws_client: Callable[[str], Any]
) -> None:
    # A function's docker_client property raises without Docker; unpatched, data.json answers 500.
    lambda_function(f"t-{uuid.uuid4().hex[:10]}", "placeholder.handler")
    sesv2 = aws_client("sesv2")
    sesv2.create_email_identity(EmailIdentity="platform@foyer.example")
    to = f"p-{uuid.uuid4().hex[:10]}@example.com"
    sesv2.send_email(
        FromEmailAddress="platform@foyer.example",
        Destination={"ToAddresses": [to]},
        Content={"Simple": {"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "Body"}}}},
    )

    answer = httpx.get(f"{emulator.endpoint}/moto-api/data.json", timeout=10)

    assert answer.status_code == 200, answer.text[:200]
    sent = [m for m in answer.json()["ses"]["Message"] if m["destinations"] == {"ToAddresses": [to]}]
    assert [(m["source"], m["subject"], m["body"]) for m in sent] == [
        ("platform@foyer.example", "Hello", "Body")
    ]


def test_a_redrive_policy_is_answered_as_compact_json_and_a_plain_queue_still_answers(
    emulator: Emulator, aws_client: Callable[[str], Any]
) -> None:
    # moto wrote `{"deadLetterTargetArn": ...}` with blanks; Terraform saw a change on every plan.
    sqs = aws_client("sqs")
    name = f"q-{uuid.uuid4().hex[:10]}"
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = f'{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":3}}'
    queue = sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": policy})["QueueUrl"]
    assert (
        sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]["RedrivePolicy"]
        == policy
    )
    assert "RedrivePolicy" not in sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["All"])["Attributes"]
