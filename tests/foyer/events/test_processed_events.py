"""foyer.events.processed: an event's effect and its processed record commit together, once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from foyer.dynamodb import Condition, Table, TransactionCanceled
from foyer.events import Envelope, ProcessedEvents
from foyer.events.processed import processed_key

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def _add_one(table: Table) -> dict[str, object]:
    return table.update_op({"pk": "counter"}, Condition("ADD #n :one", {"#n": "n"}, {":one": 1}))


def test_the_effect_and_the_record_commit_once_a_redelivery_has_no_second_effect(
    service_table: Table, make_event: Callable[..., Envelope]
) -> None:
    processed = ProcessedEvents(service_table)
    event = make_event()

    assert processed.already_processed(event.id) is False
    assert processed.apply_once(event, [_add_one(service_table)], now=NOW) is True
    assert processed.apply_once(event, [_add_one(service_table)], now=NOW) is False

    assert processed.already_processed(event.id) is True
    assert service_table.get({"pk": "counter"}, consistent=True) == {"pk": "counter", "n": 1}


def test_the_record_expires_through_the_ttl_attribute_after_the_retention(
    service_table: Table, make_event: Callable[..., Envelope]
) -> None:
    event = make_event()

    ProcessedEvents(service_table, retention=timedelta(days=15)).apply_once(event, [], now=NOW)

    record = service_table.get(processed_key(event.id), consistent=True)
    assert record is not None
    assert record["expires_at"] == int((NOW + timedelta(days=15)).timestamp())
    assert record["type"] == "ThingHappened"


def test_an_effect_refused_for_another_reason_records_nothing_and_is_raised(
    service_table: Table, make_event: Callable[..., Envelope]
) -> None:
    processed = ProcessedEvents(service_table)
    event = make_event()
    must_exist = service_table.check_op({"pk": "absent"}, Condition("attribute_exists(#pk)", {"#pk": "pk"}))

    with pytest.raises(TransactionCanceled) as refused:
        processed.apply_once(event, [must_exist])

    assert refused.value.reasons[0] == "ConditionalCheckFailed"
    assert processed.already_processed(event.id) is False


def test_a_table_with_a_sort_key_records_processed_events_under_a_constant_sort_value(
    sort_keyed_table: Table, make_event: Callable[..., Envelope]
) -> None:
    processed = ProcessedEvents(sort_keyed_table, sort_key="sk")
    event = make_event()

    assert processed.apply_once(event, [], now=NOW) is True
    assert processed.apply_once(event, [], now=NOW) is False
    assert processed.already_processed(event.id) is True
    assert sort_keyed_table.get(processed_key(event.id, "sk"), consistent=True) is not None
