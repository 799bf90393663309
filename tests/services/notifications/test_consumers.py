"""The notifications consumer through its Lambda handler, against the emulator: what it sends, once."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from foyer.events import NotABatch
from foyer.logging import JsonFormatter
from services.notifications import consumers
from services.notifications.notifier import Notifier
from services.notifications.senders import Mailer, Topic
from services.notifications.store import NotificationsStore
from tests.email_addresses import SENDABLE, UNSENDABLE

from .conftest import TopicInbox

pytestmark = pytest.mark.integration

Deliver = Callable[..., list[str]]
Mailbox = Callable[[str], list[dict[str, Any]]]
MakeEvent = Callable[..., dict[str, Any]]


def data_of(event: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = event["detail"]["data"]
    return data


def test_a_confirmation_sends_one_email_and_one_sns_message_with_its_correlation_id(
    deliver: Deliver, mailbox: Mailbox, topic: TopicInbox, order_event: MakeEvent, sender: str
) -> None:
    event = order_event("order_confirmed")
    data = data_of(event)

    assert deliver(event) == []

    (email,) = mailbox(data["contact_email"])
    assert email["source"] == sender
    assert email["subject"] == f"Your Foyer order {data['order_id']} is confirmed"
    assert "2 x Coffee beans, 1 kg\n  1 x Green tea" in email["body"]
    assert "Total: EUR 44.30" in email["body"]
    (notification,) = topic.receive(expected=1)
    assert json.loads(notification["Message"]) == event["detail"]
    assert notification["MessageAttributes"] == {
        "correlation_id": {"Type": "String", "Value": event["detail"]["correlation_id"]},
        "event_type": {"Type": "String", "Value": "OrderConfirmed"},
    }


def test_a_cancellation_says_why_in_words(
    deliver: Deliver, mailbox: Mailbox, topic: TopicInbox, order_event: MakeEvent
) -> None:
    event = order_event("order_cancelled", reason="out_of_stock")

    assert deliver(event) == []

    (email,) = mailbox(data_of(event)["contact_email"])
    assert email["subject"] == f"Your Foyer order {data_of(event)['order_id']} was cancelled"
    assert "was cancelled because some of the items were out of stock." in email["body"]
    (notification,) = topic.receive(expected=1)
    assert notification["MessageAttributes"]["event_type"]["Value"] == "OrderCancelled"


def test_a_redelivered_event_sends_nothing_more(
    deliver: Deliver, mailbox: Mailbox, topic: TopicInbox, order_event: MakeEvent
) -> None:
    event = order_event("order_confirmed")

    # Twice in one batch (the relay published it twice), then once more later (SQS redelivered).
    assert deliver(event, event) == []
    assert deliver(event) == []

    assert len(mailbox(data_of(event)["contact_email"])) == 1
    assert len(topic.receive(expected=1)) == 1


def test_a_malformed_event_fails_alone(
    deliver: Deliver, mailbox: Mailbox, topic: TopicInbox, order_event: MakeEvent
) -> None:
    good = [order_event("order_confirmed"), order_event("order_cancelled")]
    no_address = order_event("order_confirmed")
    del data_of(no_address)["contact_email"]
    unknown_version = order_event("order_confirmed")
    unknown_version["detail"]["version"] = 2
    placed = order_event("order_confirmed")
    placed["detail"]["type"] = placed["detail-type"] = "OrderPlaced"

    failed = deliver(good[0], "not json", no_address, {"detail-type": "x"}, unknown_version, placed, good[1])

    assert failed == ["m1", "m2", "m3", "m4", "m5"]
    for event in good:
        assert len(mailbox(data_of(event)["contact_email"])) == 1
    for event in (no_address, unknown_version, placed):
        assert mailbox(data_of(event).get("contact_email", "-")) == []
    assert len(topic.receive(expected=2)) == 2


def test_a_delivery_that_finds_the_event_being_sent_fails_and_sends_nothing(
    deliver: Deliver, mailbox: Mailbox, topic: TopicInbox, order_event: MakeEvent, store: NotificationsStore
) -> None:
    event = order_event("order_confirmed")
    store.claim(event["detail"]["id"])  # another delivery is sending it, within its lease

    assert deliver(event) == ["m0"]

    assert mailbox(data_of(event)["contact_email"]) == []
    assert topic.receive(expected=0) == []


def test_a_retry_after_a_failed_publish_sends_only_what_is_missing(
    deliver: Deliver,
    mailbox: Mailbox,
    topic: TopicInbox,
    order_event: MakeEvent,
    store: NotificationsStore,
    sender: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = order_event("order_confirmed")
    # The e-mail goes out, then the publish fails (a topic that does not exist): the message fails.
    missing_topic = topic.arn + "-gone"
    broken = Notifier(store, Mailer(sender), Topic(missing_topic))
    monkeypatch.setattr(consumers, "get_notifier", lambda: broken)
    assert deliver(event) == ["m0"]
    assert len(mailbox(data_of(event)["contact_email"])) == 1

    # The redelivery (its claim's lease over, as after the visibility timeout) publishes, and only that.
    retrying = Notifier(NotificationsStore(store.table, lease=timedelta(0)), Mailer(sender), Topic(topic.arn))
    monkeypatch.setattr(consumers, "get_notifier", lambda: retrying)
    assert deliver(event) == []

    assert len(mailbox(data_of(event)["contact_email"])) == 1
    assert len(topic.receive(expected=1)) == 1
    assert store.already_processed(event["detail"]["id"])


def test_an_unverified_sender_fails_the_email_alone_and_its_redelivery_sends_only_the_email(
    deliver: Deliver,
    mailbox: Mailbox,
    topic: TopicInbox,
    order_event: MakeEvent,
    store: NotificationsStore,
    sender: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = order_event("order_confirmed")
    unverified = Notifier(store, Mailer("nobody@unverified.example"), Topic(topic.arn))
    monkeypatch.setattr(consumers, "get_notifier", lambda: unverified)

    assert deliver(event) == ["m0"]

    assert mailbox(data_of(event)["contact_email"]) == []
    assert len(topic.receive(expected=1)) == 1
    assert not store.already_processed(event["detail"]["id"])

    # Redelivered after the lease (the visibility timeout), the sender fixed: the e-mail alone goes.
    fixed = Notifier(NotificationsStore(store.table, lease=timedelta(0)), Mailer(sender), Topic(topic.arn))
    monkeypatch.setattr(consumers, "get_notifier", lambda: fixed)
    assert deliver(event) == []
    assert len(mailbox(data_of(event)["contact_email"])) == 1
    assert topic.receive(expected=0) == []
    assert store.already_processed(event["detail"]["id"])


def test_a_failed_publish_fails_the_sns_message_alone(
    deliver: Deliver,
    mailbox: Mailbox,
    order_event: MakeEvent,
    store: NotificationsStore,
    sender: str,
    topic: TopicInbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = order_event("order_cancelled", reason="payment_failed")
    broken = Notifier(store, Mailer(sender), Topic(topic.arn + "-gone"))
    monkeypatch.setattr(consumers, "get_notifier", lambda: broken)

    assert deliver(event) == ["m0"]

    assert len(mailbox(data_of(event)["contact_email"])) == 1
    assert topic.receive(expected=0) == []
    assert not store.already_processed(event["detail"]["id"])


@pytest.mark.parametrize("address", UNSENDABLE[:8])
def test_an_address_ses_refuses_fails_the_email_alone_and_the_sns_message_goes_out(
    deliver: Deliver,
    mailbox: Mailbox,
    topic: TopicInbox,
    order_event: MakeEvent,
    store: NotificationsStore,
    address: str,
) -> None:
    # An order placed before its address was validated as the sender parses it.
    event = order_event("order_confirmed", contact_email=address)

    assert deliver(event, order_event("order_confirmed")) == ["m0"]

    (notification,) = [
        n for n in topic.receive(expected=2) if json.loads(n["Message"])["id"] == event["detail"]["id"]
    ]
    assert json.loads(notification["Message"])["data"]["contact_email"] == address
    sent = store.sent_for(data_of(event)["order_id"]).items
    assert [(s.kind, s.to) for s in sent] == [("sns", topic.arn)]
    assert not store.already_processed(event["detail"]["id"])


@pytest.mark.parametrize(("address", "kept"), list(SENDABLE.items())[1:4])
def test_the_email_goes_to_the_address_as_ses_parses_it(
    deliver: Deliver, mailbox: Mailbox, topic: TopicInbox, order_event: MakeEvent, address: str, kept: str
) -> None:
    event = order_event("order_confirmed", contact_email=address)

    assert deliver(event) == []

    assert len(mailbox(kept)) == 1
    assert len(topic.receive(expected=1)) == 1


def test_an_event_that_is_no_sqs_batch_fails_the_invocation(
    order_event: MakeEvent, notifier: Notifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An EventBridge rule wired straight to the function hands it the event itself.
    monkeypatch.setattr(consumers, "get_notifier", lambda: notifier)
    with pytest.raises(NotABatch, match="aws:sqs"):
        consumers.handler(order_event("order_confirmed"), None)


def test_log_lines_carry_the_events_correlation_id(
    deliver: Deliver, order_event: MakeEvent, topic: TopicInbox
) -> None:
    events = [order_event("order_confirmed"), order_event("order_cancelled")]
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter("notifications"))
    logger = logging.getLogger("services.notifications")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        assert deliver(*events) == []
    finally:
        logger.removeHandler(handler)

    sent = [json.loads(line) for line in lines.getvalue().splitlines()]
    by_order = {
        (line["order_id"], line["kind"]): line["correlation_id"]
        for line in sent
        if line["message"] == "notification sent"
    }
    assert by_order == {
        (data_of(event)["order_id"], kind): event["detail"]["correlation_id"]
        for event in events
        for kind in ("email", "sns")
    }
