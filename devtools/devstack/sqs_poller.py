"""The local runtime of an SQS event source mapping: Lambda's poller, run against the emulator.

In AWS, Lambda long-polls the queue, gathers up to `BatchSize` messages within
`MaximumBatchingWindowInSeconds`, invokes the function with the batch, deletes what succeeded and
leaves the rest to reappear after the queue's visibility timeout. Redelivery and the move to the
dead-letter queue after `maxReceiveCount` are the queue's own behaviour (its redrive policy), which
the emulator applies on receive, as SQS does; this poller only has to not delete failures.

A fault option, off by default, makes the delivery worse than SQS usually is but never worse than
it may be: `twice_shuffled` hands every batch to the handler twice, each time in a random order,
and settles it by the second answer (as if the first invocation's answer were lost and the batch
redelivered). A developer turns it on for a whole stack with `FOYER_SQS_DELIVERY=twice-shuffled`
(read by `devtools.devstack.consumers`), to see consumers stay idempotent and order-tolerant.

A time option, off by default: `visibility_timeout_s` passes `VisibilityTimeout` on every
ReceiveMessage (a real SQS parameter), so a failed message comes back after that many seconds
instead of the queue's own timeout, and a poison message reaches its DLQ after maxReceiveCount
receives in seconds rather than in maxReceiveCount x the queue's timeout (payments: 5 x 180 s). The
queue keeps its setting as Terraform declares it; `FOYER_SQS_VISIBILITY_S` sets the option for a
whole stack.

Configuration comes from the mapping as `aws lambda get-event-source-mapping` reports it and from
the function's configuration (`poller_from_mapping`, `load_poller`), so the local stack builds its
pollers from what Terraform created and never from a second list.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from devtools.devstack.lambda_context import Handler, LambdaFunction
from devtools.devstack.sqs_event import BatchFailed, failed_message_ids, sqs_event

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef, ReceiveMessageRequestTypeDef

__all__ = [
    "BatchOutcome",
    "PollerConfig",
    "SqsPoller",
    "load_poller",
    "poller_from_mapping",
    "queue_url_from_arn",
]

log = logging.getLogger(__name__)

RECEIVE_MAX = 10  # ReceiveMessage returns at most 10 messages per call
DELETE_MAX = 10  # DeleteMessageBatch takes at most 10 entries
LONG_POLL_MAX = 20  # the longest WaitTimeSeconds SQS accepts
# An idle poller's long poll. Lambda waits 20 s; a message arriving wakes the poll at once either
# way, so this only bounds how long `stop` takes and costs one empty receive per second when idle.
IDLE_WAIT_SECONDS = 1
# Between short polls while a batching window is open and under a second is left.
WINDOW_PAUSE_SECONDS = 0.05


@dataclass(frozen=True)
class PollerConfig:
    """One event source mapping's settings, in Lambda's terms."""

    queue_url: str
    queue_arn: str
    batch_size: int = 10
    batching_window_seconds: float = 0.0
    report_batch_item_failures: bool = False
    idle_wait_seconds: int = IDLE_WAIT_SECONDS
    twice_shuffled: bool = False  # the fault option: every batch invoked twice, in random orders
    # VisibilityTimeout on each receive instead of the queue's own; None: the queue's
    visibility_timeout_s: int | None = None

    @property
    def region(self) -> str:
        return self.queue_arn.split(":")[3]


@dataclass(frozen=True)
class BatchOutcome:
    """What one invocation did: which messages it deleted and which it left for redelivery."""

    request_id: str
    deleted: tuple[str, ...]
    failed: tuple[str, ...]
    error: str | None = None  # why the whole batch failed, when it did

    @property
    def size(self) -> int:
        return len(self.deleted) + len(self.failed)


@dataclass
class SqsPoller:
    """Runs `handler` on batches from one queue the way Lambda's SQS poller does."""

    config: PollerConfig
    function: LambdaFunction
    handler: Handler
    sqs: SQSClient
    _stop: threading.Event = field(default_factory=threading.Event, init=False, repr=False)
    _random: random.Random = field(default_factory=random.Random, init=False, repr=False)

    def run(self, stop: threading.Event | None = None) -> None:
        """Poll and invoke until `stop` (or `self.stop()`) is set; returns within one idle wait."""
        stop = stop or self._stop
        log.info("polling %s for %s", self.config.queue_arn, self.function.name)
        while not stop.is_set() and not self._stop.is_set():
            try:
                self.poll_once(stop)
            except Exception:
                # A failing receive or delete (emulator restarting, queue gone) must not end the
                # poller; Lambda retries its polls as well.
                log.exception("polling %s failed; retrying", self.config.queue_arn)
                stop.wait(1.0)

    def stop(self) -> None:
        """Ask `run` to return after the current batch."""
        self._stop.set()

    def poll_once(self, stop: threading.Event | None = None) -> BatchOutcome | None:
        """Gather one batch, invoke the handler, delete its successes; None when the queue was idle."""
        messages = self._gather(stop or self._stop)
        if not messages:
            return None
        return self.invoke(messages)

    def invoke(self, messages: Sequence[MessageTypeDef]) -> BatchOutcome:
        """Invoke the handler with one batch and settle it with the queue (with `twice_shuffled`,
        settle it by the second of two invocations, each with the batch in a random order)."""
        if self.config.twice_shuffled:
            self._call(self._random.sample(messages, len(messages)))  # its answer is lost
            messages = self._random.sample(messages, len(messages))
        ids = [message["MessageId"] for message in messages]
        request_id, failed, error = self._call(messages)
        succeeded = [message for message in messages if message["MessageId"] not in failed]
        self._delete(succeeded)
        return BatchOutcome(
            request_id=request_id,
            deleted=tuple(message["MessageId"] for message in succeeded),
            failed=tuple(message_id for message_id in ids if message_id in failed),
            error=error,
        )

    def _call(self, messages: Sequence[MessageTypeDef]) -> tuple[str, set[str], str | None]:
        """Invoke the handler once: the request id, the ids it failed, and why the whole batch failed."""
        ids = [message["MessageId"] for message in messages]
        event = sqs_event(messages, self.config.queue_arn, self.config.region)
        context = self.function.context()
        error: str | None = None
        failed = set(ids)  # as in Lambda, a function error fails the whole batch
        try:
            # Lambda hands the handler JSON and serialises its answer: an answer that cannot be
            # serialised is an error, and the handler never sees our objects.
            response = json.loads(json.dumps(self.handler(event, context)))
            if context.timed_out():
                raise TimeoutError(f"Task timed out after {self.function.timeout_seconds:.2f} seconds")
            reported = self.config.report_batch_item_failures
            failed = failed_message_ids(response, ids) if reported else set()
        except BatchFailed as invalid:
            error = f"invalid partial batch response: {invalid}"
            log.warning("%s: %s; the batch of %d comes back", self.function.name, error, len(ids))
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.warning("%s raised; the batch of %d comes back", self.function.name, len(ids), exc_info=True)
        return context.aws_request_id, failed, error

    def _gather(self, stop: threading.Event) -> list[MessageTypeDef]:
        """Up to batch size messages: the first long poll, then more until the window closes."""
        config = self.config
        batch: list[MessageTypeDef] = []
        deadline: float | None = None
        while len(batch) < config.batch_size and not stop.is_set():
            if deadline is None:
                wait = config.idle_wait_seconds
            else:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                wait = min(LONG_POLL_MAX, int(remaining))  # whole seconds only: never past the window
            received = self._receive(min(RECEIVE_MAX, config.batch_size - len(batch)), wait)
            if received:
                batch.extend(received)
                if deadline is None:
                    if config.batching_window_seconds <= 0:
                        break  # no window: invoke with what one receive returned, as Lambda does
                    deadline = time.monotonic() + config.batching_window_seconds
            elif deadline is None:
                break  # an idle long poll: let the caller check for stop
            elif wait == 0:
                stop.wait(WINDOW_PAUSE_SECONDS)
        return batch

    def _receive(self, count: int, wait: int) -> list[MessageTypeDef]:
        request: ReceiveMessageRequestTypeDef = {
            "QueueUrl": self.config.queue_url,
            "MaxNumberOfMessages": count,
            "WaitTimeSeconds": wait,
            "MessageSystemAttributeNames": ["All"],
            "MessageAttributeNames": ["All"],
        }
        if self.config.visibility_timeout_s is not None:
            request["VisibilityTimeout"] = self.config.visibility_timeout_s
        return list(self.sqs.receive_message(**request).get("Messages", []))

    def _delete(self, messages: Sequence[MessageTypeDef]) -> None:
        for start in range(0, len(messages), DELETE_MAX):
            chunk = messages[start : start + DELETE_MAX]
            result = self.sqs.delete_message_batch(
                QueueUrl=self.config.queue_url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                    for index, message in enumerate(chunk)
                ],
            )
            for failure in result.get("Failed", []):
                # The message comes back after its visibility timeout: a second delivery, which
                # consumers tolerate (they are idempotent), never a loss.
                log.warning("could not delete a message from %s: %s", self.config.queue_url, failure)


def queue_url_from_arn(queue_arn: str, sqs: SQSClient) -> str:
    """The URL of the queue `queue_arn` names, as the endpoint `sqs` talks to serves it."""
    _, _, _, _, account, name = queue_arn.split(":", 5)
    return sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]


def poller_from_mapping(
    mapping: Mapping[str, Any],
    function_configuration: Mapping[str, Any],
    handler: Handler,
    sqs: SQSClient,
    *,
    idle_wait_seconds: int = IDLE_WAIT_SECONDS,
    twice_shuffled: bool = False,
    visibility_timeout_s: int | None = None,
) -> SqsPoller:
    """The poller for an event source mapping as `get_event_source_mapping` describes it.

    `function_configuration` is the mapped function's `get_function_configuration` answer (its
    timeout drives the context's remaining time); `handler` is what that function's `Handler` names.
    """
    queue_arn = mapping["EventSourceArn"]
    if queue_arn.split(":")[2] != "sqs":
        raise ValueError(f"event source {queue_arn} is not an SQS queue")
    function = LambdaFunction.from_configuration(function_configuration)
    if function.arn.split(":")[:7] != mapping["FunctionArn"].split(":")[:7]:
        raise ValueError(
            f"mapping {mapping.get('UUID')} invokes {mapping['FunctionArn']}, not {function.arn}"
        )
    config = PollerConfig(
        queue_url=queue_url_from_arn(queue_arn, sqs),
        queue_arn=queue_arn,
        batch_size=int(mapping.get("BatchSize", 10)),
        batching_window_seconds=float(mapping.get("MaximumBatchingWindowInSeconds", 0)),
        report_batch_item_failures="ReportBatchItemFailures" in mapping.get("FunctionResponseTypes", []),
        idle_wait_seconds=idle_wait_seconds,
        twice_shuffled=twice_shuffled,
        visibility_timeout_s=visibility_timeout_s,
    )
    return SqsPoller(config=config, function=function, handler=handler, sqs=sqs)


def load_poller(uuid: str, handler: Handler, *, lambda_client: LambdaClient, sqs: SQSClient) -> SqsPoller:
    """The poller for the event source mapping `uuid`, described by the endpoint `lambda_client` talks to."""
    mapping = lambda_client.get_event_source_mapping(UUID=uuid)
    configuration = lambda_client.get_function_configuration(FunctionName=mapping["FunctionArn"])
    return poller_from_mapping(mapping, configuration, handler, sqs)
