"""foyer.events.consumer: SQS batches (the documented event shape, bodies built from envelopes) dispatched
by event contract (type and version), with the partial batch response read back by the local
runtime's rules (AWS's)."""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from devtools.devstack.sqs_event import failed_message_ids
from foyer import correlation
from foyer.contracts import EventData
from foyer.events import (
    AlreadyProcessed,
    Consumer,
    Envelope,
    NotABatch,
    TooEarly,
    accepted,
    lambda_handler,
    new_event,
    read_data,
)
from foyer.logging import JsonFormatter

SOURCE = "foyer.test"
Batch = Callable[..., dict[str, Any]]


class ThingHappened(EventData, source=SOURCE):
    n: int


class ThingHappenedV2(ThingHappened, EventData, event_type="ThingHappened", version=2, source=SOURCE):
    """The same thing, a second version: routed to the same function."""


class ThingRepeated(EventData, source=SOURCE):
    pass


class ThingEarly(EventData, source=SOURCE):
    pass


class Recorder:
    """Routes that remember what they saw (and the correlation id current when they ran)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, int, str | None]] = []
        self.emitted: list[Envelope] = []

    def happened(self, event: Envelope) -> None:
        thing = read_data(event, ThingHappened)
        if thing.n < 0:
            raise RuntimeError("a negative thing")
        self.seen.append((event.type, thing.n, correlation.get()))
        self.emitted.append(new_event("ThingNoted", {"n": thing.n}, source=SOURCE))

    def repeated(self, event: Envelope) -> None:
        raise AlreadyProcessed(event.id)

    def early(self, event: Envelope) -> None:
        raise TooEarly("the thing it follows has not happened yet")

    def consumer(self) -> Consumer:
        return Consumer(
            {
                ThingHappened: self.happened,
                ThingHappenedV2: self.happened,
                ThingRepeated: self.repeated,
                ThingEarly: self.early,
            }
        )


def thing(n: int, type_: str = "ThingHappened", version: int = 1) -> Envelope:
    return new_event(type_, {"n": n}, source=SOURCE, version=version, correlation_id=f"corr-{n}")


def failed_positions(event: dict[str, Any], response: Any) -> list[int]:
    """The positions of the records Lambda would leave on the queue, read by the local runtime's
    rules (raises where Lambda would fail the whole batch)."""
    ids = [record["messageId"] for record in event["Records"]]
    return sorted(ids.index(message_id) for message_id in failed_message_ids(response, set(ids)))


@pytest.fixture
def logs() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The consumer's log lines as the JSON formatter writes them (with the correlation id of their time)."""
    formatter = JsonFormatter("test")
    lines: list[dict[str, Any]] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(json.loads(formatter.format(record)))

    handler = Capture()
    logger = logging.getLogger("foyer.events.consumer")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: lines
    logger.removeHandler(handler)


def test_every_record_goes_to_its_route_and_a_clean_batch_reports_no_failure(sqs_batch: Batch) -> None:
    recorder = Recorder()
    event = sqs_batch(thing(1), thing(2, version=2), thing(3))
    response = recorder.consumer().handle(event)
    assert response == {"batchItemFailures": []}
    assert [(type_, n) for type_, n, _ in recorder.seen] == [
        ("ThingHappened", 1),
        ("ThingHappened", 2),
        ("ThingHappened", 3),
    ]


@pytest.mark.parametrize(
    ("poison", "reason"),
    [
        ("not json at all", "not JSON"),
        (json.dumps(["a", "list"]), "not a JSON object"),
        (json.dumps({"detail-type": "ThingHappened", "detail": "text"}), "detail is not an object"),
        (json.dumps({"id": "x", "type": "ThingHappened"}), "not an event envelope"),
        (thing(7, version=3), "ThingHappened version 3 is not understood here (accepted: 1, 2)"),
        (thing(7, type_="SomethingElse"), "SomethingElse version 1 is not understood here"),
        (new_event("ThingHappened", {"n": "many"}, source=SOURCE), "ThingHappened v1 data: n:"),
    ],
)
def test_a_poison_record_fails_alone_with_its_reason_logged(
    sqs_batch: Batch, logs: Callable[[], list[dict[str, Any]]], poison: Envelope | str, reason: str
) -> None:
    recorder = Recorder()
    event = sqs_batch(thing(1), poison, thing(2))
    response = recorder.consumer().handle(event)
    assert failed_positions(event, response) == [1]
    assert [n for _, n, _ in recorder.seen] == [1, 2]
    rejected = [line for line in logs() if line["message"] == "event rejected"]
    assert len(rejected) == 1
    assert reason in rejected[0]["reason"]
    assert rejected[0]["message_id"] == event["Records"][1]["messageId"]
    assert rejected[0]["level"] == "ERROR"


def test_a_record_whose_route_raises_fails_alone_and_is_logged_with_its_trace(
    sqs_batch: Batch, logs: Callable[[], list[dict[str, Any]]]
) -> None:
    recorder = Recorder()
    event = sqs_batch(thing(1), thing(-1), thing(2), thing(-2))
    response = recorder.consumer().handle(event)
    assert failed_positions(event, response) == [1, 3]
    assert [n for _, n, _ in recorder.seen] == [1, 2]
    failures = [line for line in logs() if line["level"] == "ERROR"]
    assert [line["correlation_id"] for line in failures] == ["corr--1", "corr--2"]
    assert all("a negative thing" in line["exception"] for line in failures)


def test_the_accepted_types_and_versions_are_those_the_routing_table_names() -> None:
    consumer = Recorder().consumer()
    assert consumer.accepted == {"ThingHappened": {1, 2}, "ThingRepeated": {1}, "ThingEarly": {1}}
    assert accepted([ThingHappenedV2, ThingEarly]) == {"ThingHappened": {2}, "ThingEarly": {1}}


def test_each_version_of_a_type_goes_to_the_function_routed_for_it(sqs_batch: Batch) -> None:
    seen: list[tuple[str, int]] = []
    consumer = Consumer(
        {
            ThingHappened: lambda event: seen.append(("v1", event.version)),
            ThingHappenedV2: lambda event: seen.append(("v2", event.version)),
        }
    )
    event = sqs_batch(thing(1, version=2), thing(2), thing(3, version=3))
    response = consumer.handle(event)
    assert failed_positions(event, response) == [2]  # version 3 is routed nowhere: refused
    assert seen == [("v2", 2), ("v1", 1)]


def test_an_already_processed_event_is_acknowledged(sqs_batch: Batch) -> None:
    event = sqs_batch(thing(1, type_="ThingRepeated"))
    assert Recorder().consumer().handle(event) == {"batchItemFailures": []}


def test_an_early_event_fails_for_its_redelivery_with_a_warning_and_no_trace(
    sqs_batch: Batch, logs: Callable[[], list[dict[str, Any]]]
) -> None:
    event = sqs_batch(thing(1, type_="ThingEarly"), thing(2))
    response = Recorder().consumer().handle(event)
    assert failed_positions(event, response) == [0]
    (deferred,) = [line for line in logs() if line["level"] == "WARNING"]
    assert deferred["reason"] == "the thing it follows has not happened yet"
    assert "exception" not in deferred


def test_each_record_runs_with_its_own_correlation_id_and_emits_events_under_it(
    sqs_batch: Batch, logs: Callable[[], list[dict[str, Any]]]
) -> None:
    recorder = Recorder()
    event = sqs_batch(thing(1), "garbage", thing(2))

    def as_a_caller() -> str | None:
        correlation.set_current("the-caller")
        recorder.consumer().handle(event)
        return correlation.get()

    # The batch leaves its caller's correlation id alone.
    assert contextvars.copy_context().run(as_a_caller) == "the-caller"
    assert [corr for _, _, corr in recorder.seen] == ["corr-1", "corr-2"]
    assert [e.correlation_id for e in recorder.emitted] == ["corr-1", "corr-2"]
    # A rejected record has no envelope: it logs under the batch's context, never the previous record's.
    assert [(line["message"], line["correlation_id"]) for line in logs()] == [
        ("event processed", "corr-1"),
        ("event rejected", "the-caller"),
        ("event processed", "corr-2"),
    ]


def test_processed_lines_say_which_event_and_message(
    sqs_batch: Batch, logs: Callable[[], list[dict[str, Any]]]
) -> None:
    happened = thing(5)
    event = sqs_batch(happened)
    Recorder().consumer().handle(event)
    (line,) = logs()
    assert line["event_id"] == happened.id
    assert line["event_type"] == "ThingHappened"
    assert line["message_id"] == event["Records"][0]["messageId"]
    assert line["receive_count"] == "1"
    attributes = event["Records"][0]["attributes"]
    assert line["sent_timestamp"] == attributes["SentTimestamp"]
    assert line["first_receive_timestamp"] == attributes["ApproximateFirstReceiveTimestamp"]


def test_an_empty_batch_has_no_failures() -> None:
    assert Recorder().consumer().handle({"Records": []}) == {"batchItemFailures": []}


@pytest.mark.parametrize(
    "name", ["eventbridge_sqs_body.json", "dynamodb_stream_outbox.json", "rest_proxy_get.json"]
)
def test_an_event_that_is_no_sqs_batch_fails_the_invocation_with_a_logged_error(
    name: str, fixture_file: Callable[[str], Any], caplog: pytest.LogCaptureFixture
) -> None:
    # A rule wired straight to the function, a stream, an API: acknowledging would drop the event.
    recorder = Recorder()
    handler = lambda_handler(recorder.consumer, settings=lambda: None)

    with caplog.at_level(logging.ERROR, logger="foyer.events"), pytest.raises(NotABatch, match="aws:sqs"):
        handler(fixture_file(name), None)

    assert recorder.seen == []
    assert [r.levelno for r in caplog.records if r.name.startswith("foyer.events")] == [logging.ERROR]


def test_the_lambda_handler_builds_its_consumer_once_on_the_first_batch(sqs_batch: Batch) -> None:
    recorder = Recorder()
    builds: list[Consumer] = []

    def build() -> Consumer:
        builds.append(recorder.consumer())
        return builds[-1]

    handler = lambda_handler(build, settings=lambda: None)
    assert builds == []  # nothing built at import time
    assert handler(sqs_batch(thing(1)), None) == {"batchItemFailures": []}
    assert handler(sqs_batch(thing(2)), None) == {"batchItemFailures": []}
    assert len(builds) == 1
    assert [n for _, n, _ in recorder.seen] == [1, 2]


class NeedsTable(BaseModel):
    table_name: str


def test_in_lambda_a_missing_setting_fails_the_init_naming_it_not_the_first_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from foyer.startup import StartupError

    builds: list[Consumer] = []
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    lambda_handler(lambda: builds[-1], settings=NeedsTable)  # outside Lambda: read on first use
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "foyer-probe")
    with pytest.raises(StartupError, match="NeedsTable cannot load: table_name: field required"):
        lambda_handler(lambda: builds[-1], settings=NeedsTable)
    assert builds == []
