"""Dead-letter queues: which queues are DLQs, what they hold, and moving their messages back.

A DLQ is a queue some queue's redrive policy names, or one named `*-dlq`. Moving back prefers SQS's
own `StartMessageMoveTask`; where the endpoint does not implement it (the emulator answers HTTP 500)
the messages move by receive, send, delete: each message is sent (body, message attributes, FIFO
group) before it is deleted, so a failure can only leave a copy behind, never lose one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef, SendMessageBatchRequestEntryTypeDef

__all__ = [
    "DeadLetterQueue",
    "Queue",
    "QueueNotFound",
    "RedriveResult",
    "dead_letter_queues",
    "peek",
    "redrive",
    "resolve_queue",
    "source_queues",
]

DLQ_SUFFIX = "-dlq"
BATCH_MAX = 10  # receive, send and delete batches hold at most 10 messages
# Error codes of an endpoint that lacks StartMessageMoveTask; the emulator answers a bare HTTP 500.
UNSUPPORTED_CODES = frozenset(
    {"UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", "InvalidAction", "NotImplemented"}
)
MOVE_TASK_DONE = frozenset({"COMPLETED", "CANCELLED", "FAILED"})


class QueueNotFound(LookupError):
    """No queue answers to the given name, URL or ARN."""


@dataclass(frozen=True)
class Queue:
    name: str
    url: str
    arn: str


@dataclass(frozen=True)
class DeadLetterQueue:
    queue: Queue
    visible: int
    in_flight: int
    sources: tuple[str, ...]  # names of the queues whose redrive policy targets it


@dataclass
class RedriveResult:
    method: str  # "move-task" or "receive-send-delete"
    moved: int = 0
    left: int = 0  # messages still in the DLQ when the redrive ended
    not_deleted: list[str] = field(default_factory=list)  # sent but still in the DLQ: duplicates
    task_status: str | None = None


def _queue_at(sqs: SQSClient, url: str) -> Queue:
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return Queue(name=arn.rsplit(":", 1)[1], url=url, arn=arn)


def resolve_queue(sqs: SQSClient, reference: str) -> Queue:
    """The queue `reference` (a name, URL or ARN) names."""
    if reference.startswith("arn:"):
        _, _, _, _, account, name = reference.split(":", 5)
        lookup: dict[str, str] = {"QueueName": name, "QueueOwnerAWSAccountId": account}
    elif "://" in reference:
        try:
            return _queue_at(sqs, reference)
        except ClientError as error:
            raise QueueNotFound(reference) from error
    else:
        lookup = {"QueueName": reference}
    try:
        url = sqs.get_queue_url(**lookup)["QueueUrl"]
    except ClientError as error:
        raise QueueNotFound(reference) from error
    return _queue_at(sqs, url)


def _all_queue_urls(sqs: SQSClient) -> Iterator[str]:
    for page in sqs.get_paginator("list_queues").paginate():
        yield from page.get("QueueUrls", [])


def dead_letter_queues(sqs: SQSClient) -> list[DeadLetterQueue]:
    """Every DLQ of the endpoint with its depth and its source queues, sorted by name."""
    attributes = {
        url: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        for url in _all_queue_urls(sqs)
    }
    sources: dict[str, list[str]] = {}
    for attrs in attributes.values():
        policy = attrs.get("RedrivePolicy")
        if policy:
            target = json.loads(policy)["deadLetterTargetArn"]
            sources.setdefault(target, []).append(attrs["QueueArn"].rsplit(":", 1)[1])
    found = []
    for url, attrs in attributes.items():
        queue = Queue(name=attrs["QueueArn"].rsplit(":", 1)[1], url=url, arn=attrs["QueueArn"])
        if queue.arn in sources or queue.name.removesuffix(".fifo").endswith(DLQ_SUFFIX):
            found.append(
                DeadLetterQueue(
                    queue=queue,
                    visible=int(attrs.get("ApproximateNumberOfMessages", 0)),
                    in_flight=int(attrs.get("ApproximateNumberOfMessagesNotVisible", 0)),
                    sources=tuple(sorted(sources.get(queue.arn, []))),
                )
            )
    return sorted(found, key=lambda dlq: dlq.queue.name)


def _receive(sqs: SQSClient, queue: Queue, count: int, *, visibility_timeout: int) -> list[MessageTypeDef]:
    """Up to `count` (at most 10) messages with every attribute, hidden for `visibility_timeout` s."""
    # A one-second long poll: a short poll may sample only some SQS hosts and answer empty.
    return sqs.receive_message(
        QueueUrl=queue.url,
        MaxNumberOfMessages=min(BATCH_MAX, count),
        VisibilityTimeout=visibility_timeout,
        WaitTimeSeconds=1,
        MessageSystemAttributeNames=["All"],
        MessageAttributeNames=["All"],
    ).get("Messages", [])


def peek(sqs: SQSClient, queue: Queue, limit: int) -> list[MessageTypeDef]:
    """Up to `limit` messages of `queue`, made visible again at once (they stay in the queue).

    Receiving hides a message, so each one seen is hidden until the peek ends (no message is
    shown twice) and then released; its receive count goes up, as in the AWS console.
    """
    seen: list[MessageTypeDef] = []
    try:
        while len(seen) < limit:
            received = _receive(sqs, queue, limit - len(seen), visibility_timeout=30)
            if not received:
                break
            seen.extend(received)
    finally:
        for start in range(0, len(seen), BATCH_MAX):
            sqs.change_message_visibility_batch(
                QueueUrl=queue.url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                    for i, m in enumerate(seen[start : start + BATCH_MAX])
                ],
            )
    return seen


def source_queues(sqs: SQSClient, dlq: Queue) -> list[Queue]:
    """The queues whose redrive policy sends their failures to `dlq`."""
    urls: list[str] = []
    for page in sqs.get_paginator("list_dead_letter_source_queues").paginate(QueueUrl=dlq.url):
        urls.extend(page.get("queueUrls", []))
    return [_queue_at(sqs, url) for url in urls]


def redrive(
    sqs: SQSClient,
    dlq: Queue,
    destination: Queue | None = None,
    *,
    limit: int | None = None,
    wait_seconds: float = 60.0,
    on_progress: Callable[[str], None] = lambda line: None,
) -> RedriveResult:
    """Move the messages of `dlq` back to `destination` (default: the queue each came from).

    At most `limit` messages move (default: as many as the DLQ held when the redrive began, so
    messages that fail again meanwhile are not cycled for ever).
    """
    if limit is None:  # a move task moves everything: a limit needs the message-by-message way
        try:
            return _move_task(sqs, dlq, destination, wait_seconds, on_progress)
        except ClientError as error:
            if not _move_task_unsupported(error):
                raise
            on_progress(
                f"StartMessageMoveTask is not available here ({_describe(error)}): receive, send, delete"
            )
    return _receive_send_delete(sqs, dlq, destination, limit, on_progress)


def _move_task_unsupported(error: ClientError) -> bool:
    code = str(error.response.get("Error", {}).get("Code", ""))
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in UNSUPPORTED_CODES or status in (500, 501)


def _describe(error: ClientError) -> str:
    status = str(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "?"))
    code = str(error.response.get("Error", {}).get("Code", ""))
    return f"HTTP {status}" if code in ("", status) else f"HTTP {status} {code}"


def _depth(sqs: SQSClient, queue: Queue) -> int:
    attrs = sqs.get_queue_attributes(QueueUrl=queue.url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attrs["Attributes"]["ApproximateNumberOfMessages"])


def _move_task(
    sqs: SQSClient,
    dlq: Queue,
    destination: Queue | None,
    wait_seconds: float,
    on_progress: Callable[[str], None],
) -> RedriveResult:
    request: dict[str, Any] = {"SourceArn": dlq.arn}
    if destination is not None:
        request["DestinationArn"] = destination.arn
    handle = sqs.start_message_move_task(**request)["TaskHandle"]
    on_progress(f"message move task started: {handle}")
    result = RedriveResult(method="move-task")
    deadline = time.monotonic() + wait_seconds
    while True:
        tasks = sqs.list_message_move_tasks(SourceArn=dlq.arn, MaxResults=1).get("Results", [])
        task = tasks[0] if tasks else {}
        result.task_status = task.get("Status")
        result.moved = int(task.get("ApproximateNumberOfMessagesMoved", 0))
        if result.task_status in MOVE_TASK_DONE or time.monotonic() >= deadline:
            break
        time.sleep(1.0)
    result.left = _depth(sqs, dlq)
    return result


def _receive_send_delete(
    sqs: SQSClient,
    dlq: Queue,
    destination: Queue | None,
    limit: int | None,
    on_progress: Callable[[str], None],
) -> RedriveResult:
    result = RedriveResult(method="receive-send-delete")
    fallback = destination
    if fallback is None:
        sources = source_queues(sqs, dlq)
        fallback = sources[0] if len(sources) == 1 else None
    budget = _depth(sqs, dlq) if limit is None else limit
    urls_by_arn: dict[str, str] = {}
    while result.moved + len(result.not_deleted) < budget:
        # Hidden long enough to send and delete them; after a crash they reappear in the DLQ.
        received = _receive(sqs, dlq, budget - result.moved - len(result.not_deleted), visibility_timeout=60)
        if not received:
            break
        by_destination: dict[str, list[MessageTypeDef]] = {}
        for message in received:
            target = _destination_url(sqs, message, destination, fallback, urls_by_arn)
            by_destination.setdefault(target, []).append(message)
        for url, messages in by_destination.items():
            sent = _send(sqs, url, messages)
            done = _delete(sqs, dlq, sent)
            result.moved += len(done)
            result.not_deleted.extend(m["MessageId"] for m in sent if m["MessageId"] not in done)
            on_progress(f"moved {len(done)} to {url}")
    result.left = _depth(sqs, dlq)
    return result


def _destination_url(
    sqs: SQSClient,
    message: MessageTypeDef,
    destination: Queue | None,
    fallback: Queue | None,
    urls_by_arn: dict[str, str],
) -> str:
    if destination is not None:
        return destination.url
    # SQS stamps a dead-lettered message with the queue it came from (the emulator does not).
    origin = message.get("Attributes", {}).get("DeadLetterQueueSourceArn")
    if origin:
        if origin not in urls_by_arn:
            urls_by_arn[origin] = resolve_queue(sqs, origin).url
        return urls_by_arn[origin]
    if fallback is None:
        raise ValueError(
            "the DLQ has no single source queue and the message does not say where it came from: pass --to"
        )
    return fallback.url


def _send(sqs: SQSClient, url: str, messages: list[MessageTypeDef]) -> list[MessageTypeDef]:
    """Sends each message to `url`; returns those SQS accepted."""
    fifo = url.endswith(".fifo")
    entries: list[SendMessageBatchRequestEntryTypeDef] = []
    for index, message in enumerate(messages):
        entry: SendMessageBatchRequestEntryTypeDef = {"Id": str(index), "MessageBody": message["Body"]}
        attributes = {
            name: {key: value for key, value in attribute.items() if value not in ([], None)}
            for name, attribute in message.get("MessageAttributes", {}).items()
        }
        if attributes:
            entry["MessageAttributes"] = attributes  # type: ignore[typeddict-item]
        system = message.get("Attributes", {})
        if fifo:
            entry["MessageGroupId"] = system.get("MessageGroupId", "redrive")
            entry["MessageDeduplicationId"] = system.get("MessageDeduplicationId", message["MessageId"])
        entries.append(entry)
    answer = sqs.send_message_batch(QueueUrl=url, Entries=entries)
    accepted = {item["Id"] for item in answer.get("Successful", [])}
    return [message for index, message in enumerate(messages) if str(index) in accepted]


def _delete(sqs: SQSClient, dlq: Queue, messages: list[MessageTypeDef]) -> set[str]:
    """Deletes the sent messages from the DLQ; returns the ids it deleted."""
    if not messages:
        return set()
    answer = sqs.delete_message_batch(
        QueueUrl=dlq.url,
        Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
    )
    deleted = {item["Id"] for item in answer.get("Successful", [])}
    return {m["MessageId"] for i, m in enumerate(messages) if str(i) in deleted}
