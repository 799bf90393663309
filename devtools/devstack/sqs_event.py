"""The SQS event source's contract with a handler: the event Lambda sends, the answer it reads back.

The event is the shape AWS documents for a standard queue (`Records` of camelCase fields, message
attributes with base64 binary values, `eventSource` "aws:sqs"); the answer is the partial batch
response, read with the rules AWS documents for `ReportBatchItemFailures`:
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
"""

from __future__ import annotations

import base64
from collections.abc import Collection, Iterable, Mapping
from typing import Any

__all__ = ["BatchFailed", "failed_message_ids", "sqs_event", "sqs_record"]


class BatchFailed(Exception):
    """The handler's answer makes the whole batch a failure (the reason is the message)."""


def _b64(value: bytes | str) -> str:
    raw = value.encode() if isinstance(value, str) else value
    return base64.b64encode(raw).decode("ascii")


def _message_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "stringListValues": list(value.get("StringListValues", [])),
        "binaryListValues": [_b64(item) for item in value.get("BinaryListValues", [])],
        "dataType": value["DataType"],
    }
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = _b64(value["BinaryValue"])
    return attribute


def sqs_record(message: Mapping[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One `Records` entry for a message as boto3's `receive_message` returns it."""
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {
            name: _message_attribute(value) for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def sqs_event(messages: Iterable[Mapping[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """The event Lambda's SQS poller passes to the handler for one batch."""
    return {"Records": [sqs_record(message, queue_arn, region) for message in messages]}


def failed_message_ids(response: Any, batch: Collection[str]) -> set[str]:
    """The message ids a partial batch response reports as failed.

    No response, an empty one, or an empty or null `batchItemFailures` mean the whole batch
    succeeded. Raises `BatchFailed` where Lambda fails the whole batch: an answer that is not a JSON
    object, or an item whose `itemIdentifier` is missing, empty, null or not a message of the batch.
    """
    if response is None:
        return set()
    if not isinstance(response, dict):
        raise BatchFailed(f"the response is not a JSON object: {type(response).__name__}")
    failures = response.get("batchItemFailures")
    if not failures:
        return set()
    if not isinstance(failures, list):
        raise BatchFailed("batchItemFailures is not a list")
    failed: set[str] = set()
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or not identifier:
            raise BatchFailed(f"batch item failure without an itemIdentifier: {item!r}")
        if identifier not in batch:
            raise BatchFailed(f"itemIdentifier {identifier!r} is not a message of this batch")
        failed.add(identifier)
    return failed
