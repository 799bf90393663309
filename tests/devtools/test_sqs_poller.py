"""devtools.devstack.sqs_poller against the real emulator: Lambda's SQS poller, redrive policy included.

Queues use a 1 s visibility timeout so a failed message comes back quickly; every wait for the
emulator is a loop bounded by a deadline, and a test fails (never hangs) when it runs out.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from devtools.devstack.lambda_context import LambdaFunction
from devtools.devstack.sqs_poller import BatchOutcome, PollerConfig, SqsPoller, load_poller

pytestmark = pytest.mark.integration

FIXTURE = json.loads((Path(__file__).parents[1] / "foyer" / "events" / "sqs_standard_queue.json").read_text())
FUNCTION = LambdaFunction(
    name="consumer", arn="arn:aws:lambda:eu-west-1:123456789012:function:consumer", timeout_seconds=30
)
PATIENCE = 15.0  # seconds any one wait for the emulator may take before the test fails


class Recorder:
    """A handler that records every event and answers what `answer(event)` says (or raises it)."""

    def __init__(self, answer: Callable[[dict[str, Any]], Any] = lambda event: None) -> None:
        self.events: list[dict[str, Any]] = []
        self.contexts: list[Any] = []
        self.answer = answer

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.events.append(event)
        self.contexts.append(context)
        result = self.answer(event)
        if isinstance(result, BaseException):
            raise result
        return result

    def bodies(self) -> list[list[str]]:
        return [[record["body"] for record in event["Records"]] for event in self.events]


def make_poller(queue: Any, handler: Any, sqs: Any, **config: Any) -> SqsPoller:
    settings = {"report_batch_item_failures": True} | config
    return SqsPoller(
        PollerConfig(queue_url=queue.url, queue_arn=queue.arn, **settings), FUNCTION, handler, sqs
    )


def send(sqs: Any, queue: Any, *bodies: str) -> list[str]:
    return [sqs.send_message(QueueUrl=queue.url, MessageBody=body)["MessageId"] for body in bodies]


def poll_until_batch(poller: SqsPoller) -> BatchOutcome:
    """The next batch the poller invokes (a failed message reappears after the visibility timeout)."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        outcome = poller.poll_once()
        if outcome is not None:
            return outcome
    pytest.fail(f"no batch within {PATIENCE} s")


def failing(*bodies: str) -> Callable[[dict[str, Any]], Any]:
    """An answer reporting the messages with these bodies as failed."""

    def answer(event: dict[str, Any]) -> Any:
        failed = [r["messageId"] for r in event["Records"] if r["body"] in bodies]
        return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}

    return answer


def test_a_good_batch_is_deleted(sqs: Any, queue_with_dlq: Any) -> None:
    queues = queue_with_dlq()
    sent = send(sqs, queues.source, "one", "two", "three")
    handler = Recorder()
    outcome = poll_until_batch(make_poller(queues.source, handler, sqs))
    assert sorted(outcome.deleted) == sorted(sent)
    assert outcome.failed == ()
    assert sorted(handler.bodies()[0]) == ["one", "three", "two"]
    assert queues.source.depth(sqs) == (0, 0)


def test_a_partial_failure_redelivers_only_the_failed_message(sqs: Any, queue_with_dlq: Any) -> None:
    queues = queue_with_dlq()
    good, bad = send(sqs, queues.source, "good", "bad")
    handler = Recorder(failing("bad"))
    poller = make_poller(queues.source, handler, sqs)
    first = poll_until_batch(poller)
    assert (first.deleted, first.failed) == ((good,), (bad,))
    second = poll_until_batch(poller)
    assert [r["messageId"] for r in handler.events[1]["Records"]] == [bad]
    assert handler.events[1]["Records"][0]["attributes"]["ApproximateReceiveCount"] == "2"
    assert second.failed == (bad,)


def test_partial_responses_are_ignored_unless_the_mapping_reports_them(sqs: Any, queue_with_dlq: Any) -> None:
    queues = queue_with_dlq()
    send(sqs, queues.source, "bad")
    outcome = poll_until_batch(
        make_poller(queues.source, Recorder(failing("bad")), sqs, report_batch_item_failures=False)
    )
    assert outcome.failed == ()
    assert queues.source.depth(sqs) == (0, 0)


def test_a_handler_exception_redelivers_the_whole_batch(sqs: Any, queue_with_dlq: Any) -> None:
    queues = queue_with_dlq()
    sent = send(sqs, queues.source, "a", "b")
    calls = iter([RuntimeError("database down"), None])
    handler = Recorder(lambda event: next(calls))
    poller = make_poller(queues.source, handler, sqs)
    first = poll_until_batch(poller)
    assert sorted(first.failed) == sorted(sent)
    assert first.deleted == ()
    assert first.error == "RuntimeError: database down"
    second = poll_until_batch(poller)
    assert sorted(second.deleted) == sorted(sent)
    assert queues.source.depth(sqs) == (0, 0)


def test_an_invalid_partial_response_fails_the_whole_batch(sqs: Any, queue_with_dlq: Any) -> None:
    queues = queue_with_dlq()
    sent = send(sqs, queues.source, "a")
    answer = {"batchItemFailures": [{"itemIdentifier": "not-a-message-of-this-batch"}]}
    outcome = poll_until_batch(make_poller(queues.source, Recorder(lambda event: answer), sqs))
    assert outcome.failed == tuple(sent)
    assert outcome.error is not None
    assert "not a message of this batch" in outcome.error


def test_an_invocation_past_the_function_timeout_fails_the_batch(sqs: Any, queue_with_dlq: Any) -> None:
    queues = queue_with_dlq()
    sent = send(sqs, queues.source, "slow")
    brief = LambdaFunction(name="brief", arn=FUNCTION.arn.replace("consumer", "brief"), timeout_seconds=0.01)
    handler = Recorder(lambda event: time.sleep(0.05))
    poller = SqsPoller(PollerConfig(queues.source.url, queues.source.arn), brief, handler, sqs)
    outcome = poll_until_batch(poller)
    assert outcome.failed == tuple(sent)
    assert outcome.error is not None
    assert "timed out" in outcome.error


def test_a_message_failing_max_receive_count_times_lands_in_the_dlq(sqs: Any, queue_with_dlq: Any) -> None:
    queues = queue_with_dlq(max_receive_count=2)
    (poison,) = send(sqs, queues.source, "poison")
    handler = Recorder(failing("poison"))
    poller = make_poller(queues.source, handler, sqs)
    with running(poller):
        dead = wait_for_message(sqs, queues.dlq.url)
    assert dead["MessageId"] == poison
    assert dead["Body"] == "poison"
    assert len(handler.events) == 2  # maxReceiveCount deliveries, then the queue moved it
    assert queues.source.depth(sqs) == (0, 0)


def test_the_event_has_the_documented_shape(sqs: Any, queue_with_dlq: Any) -> None:
    queues = queue_with_dlq()
    sqs.send_message(
        QueueUrl=queues.source.url,
        MessageBody="Test message.",
        MessageAttributes={"myAttribute": {"DataType": "String", "StringValue": "myValue"}},
    )
    send(sqs, queues.source, "Test message.")
    handler = Recorder()
    poll_until_batch(make_poller(queues.source, handler, sqs, batch_size=2, batching_window_seconds=2))
    (event,) = handler.events
    assert event.keys() == FIXTURE.keys()
    expected_record = FIXTURE["Records"][0]
    with_attributes, without = sorted(event["Records"], key=lambda r: not r["messageAttributes"])
    # SQS also reports the attributes' MD5 when a message has attributes; Lambda passes it on.
    assert with_attributes.keys() == expected_record.keys() | {"md5OfMessageAttributes"}
    assert without.keys() == expected_record.keys()
    assert with_attributes["attributes"].keys() >= expected_record["attributes"].keys()
    assert with_attributes["messageAttributes"] == expected_record["messageAttributes"]
    assert with_attributes["md5OfBody"] == expected_record["md5OfBody"]
    assert with_attributes["eventSource"] == "aws:sqs"
    assert with_attributes["eventSourceARN"] == queues.source.arn
    assert with_attributes["awsRegion"] == "eu-west-1"


def test_the_context_counts_down_from_the_function_timeout(sqs: Any, queue_with_dlq: Any) -> None:
    queues = queue_with_dlq()
    send(sqs, queues.source, "x", "y")
    remaining: list[int] = []
    contexts: list[Any] = []

    def handler(event: dict[str, Any], context: Any) -> None:
        contexts.append(context)
        remaining.append(context.get_remaining_time_in_millis())

    outcome = poll_until_batch(make_poller(queues.source, handler, sqs))
    context = contexts[0]
    assert context.function_name == "consumer"
    assert context.invoked_function_arn == FUNCTION.arn
    assert context.aws_request_id == outcome.request_id
    assert 0 < remaining[0] <= 30_000


def test_a_batching_window_gathers_more_than_one_receive(sqs: Any, queue_with_dlq: Any) -> None:
    queues = queue_with_dlq()
    sent = [sqs.send_message(QueueUrl=queues.source.url, MessageBody=str(n))["MessageId"] for n in range(15)]
    handler = Recorder()
    outcome = poll_until_batch(
        make_poller(queues.source, handler, sqs, batch_size=15, batching_window_seconds=5)
    )
    assert sorted(outcome.deleted) == sorted(sent)  # one invocation, past ReceiveMessage's 10
    assert len(handler.events) == 1


def test_without_a_window_a_batch_is_what_one_receive_returns(sqs: Any, queue_with_dlq: Any) -> None:
    queues = queue_with_dlq()
    send(sqs, queues.source, *(str(n) for n in range(12)))
    outcome = poll_until_batch(make_poller(queues.source, Recorder(), sqs, batch_size=12))
    assert outcome.size == 10


def test_stop_ends_a_running_poller(sqs: Any, queue_with_dlq: Any) -> None:
    queues = queue_with_dlq()
    poller = make_poller(queues.source, Recorder(), sqs)
    thread = threading.Thread(target=poller.run, daemon=True)
    thread.start()
    poller.stop()
    thread.join(timeout=PATIENCE)
    assert not thread.is_alive()


def test_a_poller_is_built_from_the_event_source_mapping(
    aws_client: Any, lambda_function: Any, sqs: Any, queue_with_dlq: Any
) -> None:
    queues = queue_with_dlq()
    lambda_client = aws_client("lambda")
    name = f"fn-{uuid.uuid4().hex[:8]}"
    lambda_function(name, "handler.handler", Timeout=45, MemorySize=256)
    mapping = lambda_client.create_event_source_mapping(
        EventSourceArn=queues.source.arn,
        FunctionName=name,
        Enabled=False,  # an enabled mapping makes the emulator try Docker (docs/architecture.md)
        BatchSize=7,
        MaximumBatchingWindowInSeconds=3,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    poller = load_poller(mapping["UUID"], Recorder(), lambda_client=lambda_client, sqs=sqs)
    assert poller.config == PollerConfig(
        queue_url=queues.source.url,
        queue_arn=queues.source.arn,
        batch_size=7,
        batching_window_seconds=3,
        report_batch_item_failures=True,
    )
    assert (poller.function.name, poller.function.timeout_seconds, poller.function.memory_mb) == (
        name,
        45,
        256,
    )


class running:
    """Runs the poller in a thread for the duration of a `with` block."""

    def __init__(self, poller: SqsPoller) -> None:
        self.poller = poller
        self.thread = threading.Thread(target=poller.run, daemon=True)

    def __enter__(self) -> SqsPoller:
        self.thread.start()
        return self.poller

    def __exit__(self, *exc: object) -> None:
        self.poller.stop()
        self.thread.join(timeout=PATIENCE)
        assert not self.thread.is_alive()


def wait_for_message(sqs: Any, url: str) -> dict[str, Any]:
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, AttributeNames=["All"]).get(
            "Messages", []
        )
        if messages:
            return dict(messages[0])
    pytest.fail(f"nothing reached {url} within {PATIENCE} s")


def test_twice_shuffled_delivery_hands_each_batch_over_twice_and_settles_by_the_second(
    sqs: Any, queue_with_dlq: Any
) -> None:
    queues = queue_with_dlq()
    send(sqs, queues.source, *(f"m{i}" for i in range(6)))
    # The first answer fails m1, the second m3: the second one settles the batch.
    answers = iter([failing("m1"), failing("m3")])
    handler = Recorder(lambda event: next(answers)(event))
    poller = make_poller(queues.source, handler, sqs, twice_shuffled=True)
    poller._random = random.Random(7)  # these two shuffles of six differ whatever order SQS returns
    outcome = poll_until_batch(poller)
    first, second = handler.bodies()
    assert sorted(first) == sorted(second) == [f"m{i}" for i in range(6)]
    assert first != second
    assert [handler.events[1]["Records"][second.index("m3")]["messageId"]] == list(outcome.failed)
    assert len(outcome.deleted) == 5
    assert queues.source.depth(sqs)[0] == 0  # m3 is in flight, the rest deleted


def test_the_visibility_option_brings_a_failure_back_before_the_queue_s_timeout_and_to_the_dlq(
    sqs: Any, queue_with_dlq: Any
) -> None:
    # Payments' queue: 180 s visibility, DLQ after 2 receives here. Without the option the failed
    # message would stay invisible for 180 s, past PATIENCE: each poll below would find nothing.
    queues = queue_with_dlq(max_receive_count=2, visibility_timeout=180)
    (poison,) = send(sqs, queues.source, "poison")
    handler = Recorder(failing("poison"))
    poller = make_poller(queues.source, handler, sqs, visibility_timeout_s=1)
    assert poll_until_batch(poller).failed == (poison,)
    assert poll_until_batch(poller).failed == (poison,)
    counts = [event["Records"][0]["attributes"]["ApproximateReceiveCount"] for event in handler.events]
    assert counts == ["1", "2"]
    # A receive once it is visible again finds it past maxReceiveCount: the queue moves it to its DLQ.
    deadline = time.monotonic() + PATIENCE
    while queues.dlq.depth(sqs) == (0, 0) and time.monotonic() < deadline:
        assert poller.poll_once() is None
    assert wait_for_message(sqs, queues.dlq.url)["MessageId"] == poison
    assert len(handler.events) == 2
