"""foyer.devstack.relays: the local stand-in for the stream-fed relay Lambdas drains every outbox."""

from __future__ import annotations

import threading
from typing import Any

from foyer.devstack.relays import drain_round, serve
from foyer.dynamodb import Table, transact
from foyer.events import Envelope, Outbox, Relay


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


def test_serve_stops_when_told(service_table: Table, bus_to_queue: Any) -> None:
    stop = threading.Event()
    stop.set()
    serve([Relay(Outbox(service_table), bus_to_queue.bus)], stop)  # returns after one round
