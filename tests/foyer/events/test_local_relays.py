"""devtools.devstack.relays: the local stand-in for the stream-fed relay Lambdas reads each table's
stream when it grows, and drains the outbox for what a stream batch left behind."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import boto3
import httpx
import pytest

from devtools.devstack import relays
from devtools.devstack.relays import CRASH_AFTER_PUBLISH, CrashingOutbox, StreamFeed, outbox_for, serve
from devtools.devstack.stream_wait import wait_for_records
from foyer import aws
from foyer.dynamodb import Table, transact
from foyer.events import Envelope, Outbox, Relay

# Far longer than any delivery takes: a relay that waited it out instead of waking on the write
# would not deliver within the receives BusToQueue allows.
LONG_IDLE_S = 120.0


def put(outbox: Outbox, event: Envelope) -> None:
    transact([outbox.put_op(event)])


def feed_of(table: Table, bus: str, outbox: Outbox | None = None) -> StreamFeed:
    stream_arn = aws.client("dynamodb").describe_table(TableName=table.name)["Table"]["LatestStreamArn"]
    # The stack fixture's environment points boto3 at the emulator, as the local stack's does.
    return StreamFeed(Relay(outbox or Outbox(table), bus), boto3.client("dynamodbstreams"), stream_arn)


def test_a_feed_drains_what_was_pending_before_it_opened(
    service_table: Table, bus_to_queue: Any, make_event: Any
) -> None:
    feed = feed_of(service_table, bus_to_queue.bus)
    events = [make_event(n) for n in range(3)]
    for event in events:
        put(feed.relay.outbox, event)
    feed.read()
    assert feed.relay.outbox.pending()[0] == []
    assert {body["detail"]["id"] for body in bus_to_queue.receive(3)} == {event.id for event in events}


def test_a_feed_relays_each_event_written_after_it_opened_from_the_stream(
    service_table: Table, bus_to_queue: Any, make_event: Any
) -> None:
    feed = feed_of(service_table, bus_to_queue.bus)
    assert feed.read() == 0
    event = make_event(1)
    put(feed.relay.outbox, event)
    # The INSERT, handed to on_stream, and the relay's own delete after it (a REMOVE: publishes nothing).
    assert feed.read() == 2
    assert not feed.drain_owed
    assert feed.relay.outbox.pending()[0] == []
    assert [body["detail"]["id"] for body in bus_to_queue.receive(1)] == [event.id]


def test_a_crash_between_publish_and_removal_publishes_again_with_the_same_ids(
    service_table: Table, bus_to_queue: Any, make_event: Any
) -> None:
    crashing = CrashingOutbox(service_table, rate=1.0)
    feed = feed_of(service_table, bus_to_queue.bus, crashing)
    feed.read()
    event = make_event(1)
    put(crashing, event)
    feed.read()  # the batch "crashed" after its publish
    assert feed.drain_owed
    assert [e.id for e in crashing.pending()[0]] == [event.id]
    crashing.rate = 0.0  # restarted, well
    feed.read()
    assert not feed.drain_owed
    assert crashing.pending()[0] == []
    assert [body["detail"]["id"] for body in bus_to_queue.receive(2)] == [event.id, event.id]


def test_serve_reads_only_the_streams_that_grew_and_long_polls_in_between() -> None:
    reads: list[str] = []
    waits: list[tuple[dict[str, int], float]] = []
    stop = threading.Event()

    class Feed:
        def __init__(self, name: str) -> None:
            self.table_name, self.drain_owed = name, False

        def read(self) -> int:
            reads.append(self.table_name)
            return 0

    answers = iter([{"a": 1, "b": 0}, {"a": 1, "b": 2}])

    def wait(seen: Mapping[str, int], timeout: float) -> dict[str, int]:
        waits.append((dict(seen), timeout))
        answer = next(answers, None)
        if answer is None:
            stop.set()
            return dict(seen)
        return answer

    serve([Feed("a"), Feed("b")], stop, wait)  # type: ignore[list-item]

    assert reads == ["a", "b", "a", "b"]  # both at the start, then each as its stream grew
    assert [seen for seen, _ in waits] == [{}, {"a": 1, "b": 0}, {"a": 1, "b": 2}]
    assert {timeout for _, timeout in waits} == {relays.IDLE_WAIT_SECONDS}
    assert relays.IDLE_WAIT_SECONDS >= 1  # a long poll, not a round


def test_serve_relays_a_write_while_it_waits_without_waiting_out_the_idle_poll(
    service_table: Table, bus_to_queue: Any, make_event: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(relays, "IDLE_WAIT_SECONDS", LONG_IDLE_S)
    feed = feed_of(service_table, bus_to_queue.bus)
    endpoint = aws.client("dynamodb").meta.endpoint_url
    stop, waiting = threading.Event(), threading.Event()
    with httpx.Client() as client:

        def wait(seen: Mapping[str, int], timeout: float) -> dict[str, int]:
            waiting.set()
            return wait_for_records(endpoint, [service_table.name], seen, timeout, client=client)

        # A daemon thread: a serve that never stops fails the assertion below, not pytest's exit.
        server = threading.Thread(target=serve, args=([feed], stop, wait), daemon=True)
        server.start()
        try:
            assert waiting.wait(30)
            event = make_event(1)
            put(feed.relay.outbox, event)
            delivered = [body["detail"]["id"] for body in bus_to_queue.receive(1)]
        finally:
            stop.set()
            put(feed.relay.outbox, make_event(2))  # ends the current wait, so serve sees `stop`
            server.join(30)
    assert event.id in delivered
    assert not server.is_alive(), "serve still running 30 s after stop was set"


def test_the_relay_fault_is_off_unless_asked_for_and_a_typo_is_refused(service_table: Table) -> None:
    assert type(outbox_for(service_table, "")) is Outbox
    assert isinstance(outbox_for(service_table, CRASH_AFTER_PUBLISH), CrashingOutbox)
    with pytest.raises(ValueError, match="FOYER_RELAY_FAULT"):
        outbox_for(service_table, "crash")
