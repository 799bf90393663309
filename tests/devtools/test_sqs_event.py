"""devtools.devstack.sqs_event: the SQS event Lambda sends and the partial batch response it reads.

`tests/foyer/events/sqs_standard_queue.json` is the example standard-queue event from the Lambda
developer guide (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html); its md5OfBody is the
real MD5 of its body. Each case turns its records back into what boto3's `receive_message` returns for them.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from devtools.devstack.sqs_event import BatchFailed, failed_message_ids, sqs_event, sqs_record

EVENT = json.loads((Path(__file__).parents[1] / "foyer" / "events" / "sqs_standard_queue.json").read_text())


def as_received(record: dict[str, Any]) -> dict[str, Any]:
    """The boto3 `receive_message` entry that Lambda turned into `record`."""
    message: dict[str, Any] = {
        "MessageId": record["messageId"],
        "ReceiptHandle": record["receiptHandle"],
        "MD5OfBody": record["md5OfBody"],
        "Body": record["body"],
        "Attributes": record["attributes"],
    }
    if record["messageAttributes"]:
        message["MessageAttributes"] = {
            name: {"StringValue": value["stringValue"], "DataType": value["dataType"]}
            for name, value in record["messageAttributes"].items()
        }
    return message


def test_records_match_the_documented_event() -> None:
    arn = EVENT["Records"][0]["eventSourceARN"]
    built = sqs_event([as_received(record) for record in EVENT["Records"]], arn, "us-east-2")
    assert built == EVENT


def test_binary_attributes_are_base64_as_in_the_event() -> None:
    record = EVENT["Records"][1]
    message = as_received(record) | {
        "MessageAttributes": {
            "blob": {"BinaryValue": b"\x00\xff", "DataType": "Binary"},
            "list": {"StringListValues": ["a"], "BinaryListValues": [b"\x01"], "DataType": "String.list"},
        },
        "MD5OfMessageAttributes": "0123456789abcdef0123456789abcdef",
    }
    built = sqs_record(message, record["eventSourceARN"], "us-east-2")
    assert built["messageAttributes"] == {
        "blob": {"binaryValue": "AP8=", "stringListValues": [], "binaryListValues": [], "dataType": "Binary"},
        "list": {
            "stringListValues": ["a"],
            "binaryListValues": [base64.b64encode(b"\x01").decode()],
            "dataType": "String.list",
        },
    }
    assert built["md5OfMessageAttributes"] == "0123456789abcdef0123456789abcdef"


BATCH = ("a", "b", "c")


@pytest.mark.parametrize(
    "response",
    [None, {}, {"batchItemFailures": []}, {"batchItemFailures": None}, {"somethingElse": 1}],
    ids=["null", "empty", "empty-list", "null-list", "no-failures-key"],
)
def test_responses_that_mean_the_whole_batch_succeeded(response: Any) -> None:
    assert failed_message_ids(response, BATCH) == set()


def test_reported_failures_are_the_failed_ids() -> None:
    response = {"batchItemFailures": [{"itemIdentifier": "b"}, {"itemIdentifier": "c"}]}
    assert failed_message_ids(response, BATCH) == {"b", "c"}


@pytest.mark.parametrize(
    "response",
    [
        "not an object",
        [{"itemIdentifier": "a"}],
        {"batchItemFailures": "a"},
        {"batchItemFailures": [{"itemIdentifier": ""}]},
        {"batchItemFailures": [{"itemIdentifier": None}]},
        {"batchItemFailures": [{"itemId": "a"}]},
        {"batchItemFailures": [{"itemIdentifier": "not-in-batch"}]},
        {"batchItemFailures": ["a"]},
    ],
    ids=["string", "list", "failures-not-list", "empty-id", "null-id", "bad-key", "unknown-id", "bare-id"],
)
def test_responses_that_fail_the_whole_batch(response: Any) -> None:
    with pytest.raises(BatchFailed):
        failed_message_ids(response, BATCH)
