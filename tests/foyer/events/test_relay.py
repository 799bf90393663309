"""foyer.events.relay: the outbox reaches an EventBridge bus (and, through a rule, an SQS queue),
in batches of at most 10; nothing is lost when a publish fails or the relay dies after publishing."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from foyer import aws
from foyer.dynamodb import Table, transact
from foyer.events import Envelope, NotABatch, Outbox, Relay, parse
from foyer.events import handler as relay_handler

pytestmark = pytest.mark.integration

ACCEPTED = {"ThingHappened": [1], "OrderPlaced": [1], "OrderCancelled": [1]}


class Events:
    """The real EventBridge client, recording each PutEvents batch and refusing chosen event ids the
    way EventBridge refuses an entry: an ErrorCode in its answer, the other entries published."""

    def __init__(self, refuse: set[str] | None = None) -> None:
        self.real = aws.client("events")
        self.exceptions = self.real.exceptions
        self.refuse = refuse or set()
        self.batches: list[int] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.batches.append(len(Entries))
        refused = [json.loads(e["Detail"])["id"] in self.refuse for e in Entries]
        sent = [e for e, no in zip(Entries, refused, strict=True) if not no]
        answers = iter(self.real.put_events(Entries=sent)["Entries"] if sent else [])
        entries = [
            {"ErrorCode": "InternalFailure", "ErrorMessage": "refused by the test"} if no else next(answers)
            for no in refused
        ]
        return {"FailedEntryCount": sum(refused), "Entries": entries}


class Crash(Exception):
    """The relay's process dying between the publish and the removal."""


class CrashingOutbox(Outbox):
    def remove(self, event_id: str) -> None:
        raise Crash(event_id)


def _write(outbox: Outbox, events: list[Envelope]) -> None:
    for event in events:
        transact([outbox.put_op(event)])


def _ids(bodies: list[dict[str, Any]]) -> list[str]:
    return [parse(body, ACCEPTED).id for body in bodies]


def test_a_drained_event_arrives_at_the_queue_and_leaves_the_outbox(
    outbox: Outbox, relay: Relay, bus_to_queue: Any, make_event: Callable[..., Envelope]
) -> None:
    event = make_event(7)
    _write(outbox, [event])

    result = relay.drain()
    bodies = bus_to_queue.receive(1)

    assert result.published == [event.id]
    assert result.failed == {}
    assert [parse(body, ACCEPTED) for body in bodies] == [event]
    assert bodies[0]["detail-type"] == "ThingHappened"
    assert bodies[0]["source"] == "foyer.test"
    assert outbox.pending()[0] == []


def test_putevents_is_called_with_at_most_ten_entries(
    outbox: Outbox, bus_to_queue: Any, make_event: Callable[..., Envelope]
) -> None:
    events = [make_event(n) for n in range(23)]
    _write(outbox, events)
    client = Events()

    result = Relay(outbox, bus_to_queue.bus, client=client).drain()

    assert client.batches == [10, 10, 3]
    assert sorted(result.published) == sorted(e.id for e in events)
    assert sorted(_ids(bus_to_queue.receive(23))) == sorted(e.id for e in events)


def test_entries_putevents_refuses_stay_pending_and_the_next_run_publishes_them(
    outbox: Outbox, relay: Relay, bus_to_queue: Any, make_event: Callable[..., Envelope]
) -> None:
    events = [make_event(n) for n in range(5)]
    _write(outbox, events)
    refused = {events[1].id, events[3].id}

    first = Relay(outbox, bus_to_queue.bus, client=Events(refuse=refused)).drain()

    assert set(first.failed) == refused
    assert set(first.failed.values()) == {"InternalFailure"}
    assert {e.id for e in outbox.pending()[0]} == refused

    second = relay.drain()

    assert set(second.published) == refused
    assert outbox.pending()[0] == []
    assert sorted(_ids(bus_to_queue.receive(5))) == sorted(e.id for e in events)


def test_a_relay_that_dies_after_publishing_loses_nothing_and_republishes_the_same_event_id(
    service_table: Table, outbox: Outbox, relay: Relay, bus_to_queue: Any, make_event: Callable[..., Envelope]
) -> None:
    event = make_event()
    _write(outbox, [event])

    with pytest.raises(Crash):
        Relay(CrashingOutbox(service_table), bus_to_queue.bus).drain()
    assert outbox.pending()[0] == [event]

    assert relay.drain().published == [event.id]
    # Delivered twice with one id: consumers deduplicate on it (foyer.events.processed).
    assert _ids(bus_to_queue.receive(2)) == [event.id, event.id]
    assert outbox.pending()[0] == []


def test_a_stream_batch_publishes_its_outbox_inserts_only(
    relay: Relay, bus_to_queue: Any, fixture_file: Callable[[str], Any]
) -> None:
    answer = relay.on_stream(fixture_file("dynamodb_stream_outbox.json"))

    assert answer == {"batchItemFailures": []}
    assert sorted(_ids(bus_to_queue.receive(2))) == sorted(
        ["0b9f0d3e-5c1a-4f0e-9d6b-2f8a7c4e1d10", "9a1158a5-23c4-4be1-8f5e-6c0d2b7a4e33"]
    )


def test_records_of_other_items_with_binary_attributes_never_hold_back_the_outbox(
    relay: Relay, bus_to_queue: Any, fixture_file: Callable[[str], Any]
) -> None:
    # aws-lambda-go's events/testdata/dynamodb-event.json: INSERTs whose images hold B and BS
    # attributes (base64 text in the stream's JSON), every other type, and an empty string set.
    others = fixture_file("dynamodb_stream_binary.json")["Records"]
    ours = fixture_file("dynamodb_stream_outbox.json")["Records"]

    answer = relay.on_stream({"Records": [*others[:1], *ours, *others[1:]]})

    assert answer == {"batchItemFailures": []}
    assert sorted(_ids(bus_to_queue.receive(2))) == sorted(
        ["0b9f0d3e-5c1a-4f0e-9d6b-2f8a7c4e1d10", "9a1158a5-23c4-4be1-8f5e-6c0d2b7a4e33"]
    )


def test_a_batch_of_other_items_only_publishes_nothing(
    outbox: Outbox, bus_to_queue: Any, fixture_file: Callable[[str], Any]
) -> None:
    client = Events()

    answer = Relay(outbox, bus_to_queue.bus, client=client).on_stream(
        fixture_file("dynamodb_stream_binary.json")
    )

    assert answer == {"batchItemFailures": []}
    assert client.batches == []


@pytest.mark.parametrize(
    "name", ["sqs_standard_queue.json", "eventbridge_sqs_body.json", "rest_proxy_get.json"]
)
def test_an_event_that_is_no_stream_batch_fails_the_invocation_with_a_logged_error(
    name: str,
    outbox: Outbox,
    bus_to_queue: Any,
    fixture_file: Callable[[str], Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = Events()

    with (
        caplog.at_level(logging.ERROR, logger="foyer.events"),
        pytest.raises(NotABatch, match="aws:dynamodb"),
    ):
        Relay(outbox, bus_to_queue.bus, client=client).on_stream(fixture_file(name))

    assert client.batches == []
    assert [r.levelno for r in caplog.records if r.name.startswith("foyer.events")] == [logging.ERROR]


def test_a_stream_batch_reports_its_first_failed_record_so_lambda_retries_from_there(
    outbox: Outbox, bus_to_queue: Any, fixture_file: Callable[[str], Any]
) -> None:
    client = Events(refuse={"0b9f0d3e-5c1a-4f0e-9d6b-2f8a7c4e1d10"})

    answer = Relay(outbox, bus_to_queue.bus, client=client).on_stream(
        fixture_file("dynamodb_stream_outbox.json")
    )

    assert answer == {"batchItemFailures": [{"itemIdentifier": "4421584500000000017450439092"}]}


def test_the_tables_own_stream_feeds_the_relay(
    service_table: Table,
    outbox: Outbox,
    relay: Relay,
    bus_to_queue: Any,
    make_event: Callable[..., Envelope],
    aws_client: Callable[[str], Any],
) -> None:
    events = [make_event(n) for n in range(3)]
    _write(outbox, events)

    answer = relay.on_stream({"Records": _stream_records(service_table, aws_client("dynamodbstreams"))})

    assert answer == {"batchItemFailures": []}
    assert sorted(_ids(bus_to_queue.receive(3))) == sorted(e.id for e in events)
    assert outbox.pending()[0] == []


def _stream_records(table: Table, streams: Any) -> list[dict[str, Any]]:
    """Every record of the table's stream so far, as the emulator gives them (Lambda's shape)."""
    arn = aws.client("dynamodb").describe_table(TableName=table.name)["Table"]["LatestStreamArn"]
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records.extend(streams.get_records(ShardIterator=iterator)["Records"])
    return records


def test_an_outbox_item_without_an_envelope_is_skipped_and_blocks_nothing_behind_it(
    service_table: Table, outbox: Outbox, relay: Relay, bus_to_queue: Any, make_event: Callable[..., Envelope]
) -> None:
    service_table.put(
        {"pk": "outbox#broken", "event": "{not json", "outbox_pending": "pending", "outbox_at": "0000#broken"}
    )
    event = make_event()
    _write(outbox, [event])

    assert relay.drain().published == [event.id]
    assert _ids(bus_to_queue.receive(1)) == [event.id]
    assert service_table.get({"pk": "outbox#broken"}, consistent=True) is not None


def test_the_lambda_entry_point_relays_its_tables_stream_to_its_bus(
    service_table: Table,
    bus_to_queue: Any,
    fixture_file: Callable[[str], Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TABLE_NAME", service_table.name)
    monkeypatch.setenv("EVENT_BUS_NAME", bus_to_queue.bus)
    monkeypatch.setenv("FOYER_SERVICE", "orders-relay")
    relay_handler.relay.cache_clear()

    answer = relay_handler.handler(fixture_file("dynamodb_stream_outbox.json"), None)
    relay_handler.relay.cache_clear()

    assert answer == {"batchItemFailures": []}
    assert len(bus_to_queue.receive(2)) == 2


class Throttled(Events):
    """EventBridge refusing the whole call (after botocore's own retries)."""

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "PutEvents")


def test_a_putevents_call_that_fails_whole_leaves_its_batch_pending(
    outbox: Outbox, bus_to_queue: Any, make_event: Callable[..., Envelope]
) -> None:
    events = [make_event(n) for n in range(3)]
    _write(outbox, events)

    result = Relay(outbox, bus_to_queue.bus, client=Throttled()).drain()

    assert result.failed == {e.id: "ThrottlingException" for e in events}
    assert sorted(e.id for e in outbox.pending()[0]) == sorted(e.id for e in events)
