"""devtools.devstack.relays: the local stand-in for the stream-fed relay Lambdas drains every outbox."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from devtools.devstack.relays import CRASH_AFTER_PUBLISH, CrashingOutbox, drain_round, outbox_for, serve
from foyer.dynamodb import Table, transact
from foyer.events import Envelope, Outbox, Relay

# One round interval and one drain round against the emulator, with room for a busy machine.
STOP_WITHIN_S = 10.0


def put(outbox: Outbox, event: Envelope) -> None:
    transact([outbox.put_op(event)])


def test_a_round_publishes_every_pending_event_of_every_table(
    service_table: Table, bus_to_queue: Any, make_event: Any
) -> None:
    relays = [Relay(Outbox(service_table), bus_to_queue.bus)]
    events = [make_event(n) for n in range(3)]
    for event in events:
        put(relays[0].outbox, event)
    assert drain_round(relays) == 3
    assert relays[0].outbox.pending()[0] == []
    delivered = {body["detail"]["id"] for body in bus_to_queue.receive(3)}
    assert delivered == {event.id for event in events}


def test_a_failing_relay_does_not_stop_the_others(
    service_table: Table, bus_to_queue: Any, make_event: Any
) -> None:
    broken = Relay(Outbox(Table("no-such-table")), bus_to_queue.bus)
    working = Relay(Outbox(service_table), bus_to_queue.bus)
    put(working.outbox, make_event(1))
    assert drain_round([broken, working]) == 1


def test_serve_stops_when_told(service_table: Table, bus_to_queue: Any, make_event: Any) -> None:
    relay = Relay(Outbox(service_table), bus_to_queue.bus)
    stop = threading.Event()
    # A daemon thread: a serve that never stops cannot keep pytest from exiting after the assertion.
    serving = threading.Thread(target=serve, args=([relay], stop), daemon=True)
    serving.start()
    put(relay.outbox, make_event(1))
    assert len(bus_to_queue.receive(1)) == 1  # serve is running its rounds
    stop.set()
    serving.join(timeout=STOP_WITHIN_S)
    assert not serving.is_alive(), f"serve still running {STOP_WITHIN_S} s after stop was set"


def test_a_crash_between_publish_and_removal_publishes_again_with_the_same_ids(
    service_table: Table, bus_to_queue: Any, make_event: Any
) -> None:
    crashing = CrashingOutbox(service_table, rate=1.0)
    relay = Relay(crashing, bus_to_queue.bus)
    event = make_event(1)
    put(relay.outbox, event)
    assert drain_round([relay]) == 0  # the round "crashed" after its publish
    assert [e.id for e in relay.outbox.pending()[0]] == [event.id]
    crashing.rate = 0.0  # restarted, well
    assert drain_round([relay]) == 1
    assert relay.outbox.pending()[0] == []
    assert [body["detail"]["id"] for body in bus_to_queue.receive(2)] == [event.id, event.id]


def test_the_relay_fault_is_off_unless_asked_for_and_a_typo_is_refused(service_table: Table) -> None:
    assert type(outbox_for(service_table, "")) is Outbox
    assert isinstance(outbox_for(service_table, CRASH_AFTER_PUBLISH), CrashingOutbox)
    with pytest.raises(ValueError, match="FOYER_RELAY_FAULT"):
        outbox_for(service_table, "crash")
