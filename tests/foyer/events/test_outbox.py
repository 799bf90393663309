"""foyer.events.outbox: the event and the state change it announces are one transaction; pending
events are read back through the sparse index, oldest first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from foyer.dynamodb import Condition, Table, TransactionCanceled, transact
from foyer.events import Envelope, Outbox, new_event

pytestmark = pytest.mark.integration


def _create_order(table: Table, order_id: str) -> dict[str, object]:
    """A state change that succeeds only once: the order must not exist yet."""
    return table.put_op(
        {"pk": f"order#{order_id}", "status": "PENDING"},
        condition=Condition("attribute_not_exists(#pk)", {"#pk": "pk"}),
    )


def test_the_state_change_and_its_event_are_written_together(
    service_table: Table, outbox: Outbox, make_event: Callable[..., Envelope]
) -> None:
    event = make_event(1)

    transact([_create_order(service_table, "o-1"), outbox.put_op(event)])

    assert service_table.get({"pk": "order#o-1"}, consistent=True) == {"pk": "order#o-1", "status": "PENDING"}
    assert outbox.pending()[0] == [event]


def test_a_failed_condition_writes_neither_the_state_nor_the_event(
    service_table: Table, outbox: Outbox, make_event: Callable[..., Envelope]
) -> None:
    transact([_create_order(service_table, "o-1"), outbox.put_op(make_event(1))])

    with pytest.raises(TransactionCanceled) as refused:
        transact([_create_order(service_table, "o-1"), outbox.put_op(make_event(2))])

    assert refused.value.reasons[0] == "ConditionalCheckFailed"
    assert [e.data["n"] for e in outbox.pending()[0]] == [1]


def test_pending_events_come_oldest_first_in_pages(service_table: Table, outbox: Outbox) -> None:
    start = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    events = [
        new_event("ThingHappened", {"n": n}, source="foyer.test", now=start + timedelta(seconds=n))
        for n in range(5)
    ]
    for event in reversed(events):
        transact([outbox.put_op(event)])

    first, after = outbox.pending(limit=3)
    second, end = outbox.pending(limit=3, start_key=after)

    assert [e.data["n"] for e in first + second] == [0, 1, 2, 3, 4]
    assert after is not None
    assert end is None or outbox.pending(start_key=end)[0] == []


def test_a_removed_event_is_no_longer_pending_and_removing_twice_is_harmless(
    service_table: Table, outbox: Outbox, make_event: Callable[..., Envelope]
) -> None:
    event = make_event()
    transact([outbox.put_op(event)])

    outbox.remove(event.id)
    outbox.remove(event.id)

    assert outbox.pending()[0] == []


def test_items_other_than_outbox_items_are_not_in_the_index(
    service_table: Table, outbox: Outbox, make_event: Callable[..., Envelope]
) -> None:
    transact([_create_order(service_table, "o-2")])

    assert outbox.pending()[0] == []


def test_a_table_with_a_sort_key_keeps_its_outbox_under_a_constant_sort_value(
    sort_keyed_table: Table, make_event: Callable[..., Envelope]
) -> None:
    outbox = Outbox(sort_keyed_table, sort_key="sk")
    event = make_event()
    state = sort_keyed_table.put_op({"pk": "order#o-1", "sk": "meta", "status": "PENDING"})

    transact([state, outbox.put_op(event)])

    assert outbox.pending()[0] == [event]
    assert sort_keyed_table.get({"pk": f"outbox#{event.id}", "sk": "outbox"}, consistent=True) is not None
    outbox.remove(event.id)
    assert outbox.pending()[0] == []
