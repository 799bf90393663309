"""foyer.events.envelope: one parser for SQS bodies, EventBridge events and bare envelopes; malformed
messages and unknown versions refused with an EventRejected."""

from __future__ import annotations

import contextvars
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from foyer import correlation
from foyer.events import Envelope, EventRejected, MalformedEvent, UnsupportedVersion, new_event, parse

ACCEPTED = {"OrderPlaced": [1]}


@pytest.fixture
def sqs_body(fixture_file: Callable[[str], Any]) -> dict[str, Any]:
    """The body SQS delivers from a rule on the bus: the whole EventBridge event."""
    body: dict[str, Any] = fixture_file("eventbridge_sqs_body.json")
    return body


def test_an_sqs_body_from_a_bus_rule_is_parsed_into_its_envelope(sqs_body: dict[str, Any]) -> None:
    envelope = parse(json.dumps(sqs_body), ACCEPTED)

    assert envelope.id == "0b9f0d3e-5c1a-4f0e-9d6b-2f8a7c4e1d10"
    assert envelope.type == "OrderPlaced"
    assert envelope.version == 1
    assert envelope.correlation_id == "c0ffee00-1234-4abc-8def-000000000001"
    assert envelope.time == datetime(2026, 11, 27, 10, 15, 29, 512000, tzinfo=UTC)
    assert envelope.data["lines"] == [{"sku": "TEE-BLACK-M", "quantity": 2}]


def test_an_eventbridge_event_a_bare_envelope_and_bytes_give_the_same_envelope(
    sqs_body: dict[str, Any],
) -> None:
    from_event = parse(sqs_body, ACCEPTED)

    assert parse(sqs_body["detail"], ACCEPTED) == from_event
    assert parse(json.dumps(sqs_body).encode(), ACCEPTED) == from_event
    assert parse(from_event.to_json(), ACCEPTED) == from_event


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        b"\xff\xfe",
        "[1, 2]",
        "{}",
        json.dumps({"detail-type": "OrderPlaced", "detail": "a string"}),
    ],
)
def test_a_body_that_is_not_an_envelope_is_malformed(body: str | bytes) -> None:
    with pytest.raises(MalformedEvent):
        parse(body, ACCEPTED)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", ""),
        ("version", "one"),
        ("version", 0),
        ("type", "order placed"),
        ("source", "Foyer Orders"),
        ("time", "2026-11-27T10:15:29"),  # no offset: an event's time is never ambiguous
        ("correlation_id", None),
        ("data", [1]),
        ("extra", "field"),
    ],
)
def test_an_envelope_with_a_bad_field_is_malformed_and_says_which(
    sqs_body: dict[str, Any], field: str, value: Any
) -> None:
    sqs_body["detail"][field] = value

    with pytest.raises(MalformedEvent, match=field):
        parse(sqs_body, ACCEPTED)


def test_a_missing_field_is_malformed(sqs_body: dict[str, Any]) -> None:
    del sqs_body["detail"]["correlation_id"]

    with pytest.raises(MalformedEvent, match="correlation_id"):
        parse(sqs_body, ACCEPTED)


def test_an_unknown_version_is_refused_with_the_versions_understood(sqs_body: dict[str, Any]) -> None:
    sqs_body["detail"]["version"] = 2

    with pytest.raises(UnsupportedVersion, match=r"OrderPlaced version 2 .*accepted: 1") as refused:
        parse(sqs_body, ACCEPTED)
    assert (refused.value.type, refused.value.version) == ("OrderPlaced", 2)


def test_an_event_type_the_consumer_does_not_handle_is_refused(sqs_body: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedVersion, match="accepted: none"):
        parse(sqs_body, {"OrderCancelled": [1]})


def test_refusals_are_event_rejected_which_no_retry_cures() -> None:
    assert issubclass(MalformedEvent, EventRejected)
    assert issubclass(UnsupportedVersion, EventRejected)


def test_a_new_event_carries_the_current_correlation_id_and_a_fresh_id() -> None:
    def in_a_request() -> tuple[Envelope, Envelope]:
        correlation.set_current("req-42")
        make = lambda: new_event("OrderPlaced", {"order_id": "o-1"}, source="foyer.orders")  # noqa: E731
        return make(), make()

    first, second = contextvars.copy_context().run(in_a_request)

    assert first.correlation_id == second.correlation_id == "req-42"
    assert first.id != second.id
    assert first.time.tzinfo is not None


def test_an_envelope_survives_its_json_with_floats_and_nesting() -> None:
    envelope = new_event("PriceChanged", {"ratio": 0.25, "nested": {"a": [1, None]}}, source="foyer.catalog")

    assert Envelope.model_validate_json(envelope.to_json()) == envelope
