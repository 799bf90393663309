"""Notifications' event consumer, the Lambda entry point of its SQS queue:
`services.notifications.consumers.handler` (the event source mapping reports batch item failures).

One plain function per event type; `handler` is the SQS loop: each record is parsed, carries its
event's correlation id into the logs and fails alone (a partial batch response), so a malformed
event never holds back the others and reaches the DLQ after its retries, its reason logged.

Wired here, not in deps.py: deps.py is the HTTP app's and imports FastAPI, which the consumer
Lambda does not need to pay for at init.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from foyer import correlation
from foyer import logging as foyer_logging
from foyer.dynamodb import Table
from foyer.events import Envelope, EventRejected, parse, sqs_records
from foyer.startup import check_settings_in_lambda
from services.notifications.domain import ACCEPTED, EventInFlight, OrderEvent
from services.notifications.notifier import Notifier
from services.notifications.senders import Mailer, Topic
from services.notifications.settings import SendingSettings
from services.notifications.store import NotificationsStore

log = logging.getLogger("services.notifications.consumers")


def build_notifier(settings: SendingSettings) -> Notifier:
    """The notifier over the table, topic and sender `settings` name."""
    return Notifier(
        NotificationsStore(Table(settings.table_name)), Mailer(settings.sender), Topic(settings.topic_arn)
    )


@cache
def get_notifier() -> Notifier:
    """The process-wide notifier, built on the first batch (in Lambda its settings were checked at init)."""
    settings = SendingSettings()
    foyer_logging.setup(settings.service, settings.log_level)
    return build_notifier(settings)


def on_order_confirmed(envelope: Envelope) -> None:
    """Tell the customer their order is confirmed (once per event)."""
    get_notifier().notify(envelope)


def on_order_cancelled(envelope: Envelope) -> None:
    """Tell the customer their order was cancelled, and why (once per event)."""
    get_notifier().notify(envelope)


HANDLERS: Mapping[str, Callable[[Envelope], None]] = {
    OrderEvent.CONFIRMED: on_order_confirmed,
    OrderEvent.CANCELLED: on_order_cancelled,
}


# In Lambda a missing setting fails the init, naming it, not the first batch (foyer.startup).
check_settings_in_lambda(SendingSettings)


def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    """Handle one SQS batch; answer the ids of the messages that failed (they alone are redelivered).
    Raises NotABatch for an event that is not an SQS batch (a rule wired straight to the function)."""
    get_notifier()  # wired (and JSON logging set up) before any record logs, a rejected one included
    failures = []
    for record in sqs_records(event):
        message_id = record.get("messageId")
        if not _handled(record, message_id):
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}


def _handled(record: Mapping[str, Any], message_id: str | None) -> bool:
    # A fresh id until the envelope gives its own: a malformed message's log lines still group.
    correlation.set_current(correlation.new_id())
    try:
        envelope = parse(record.get("body", ""), ACCEPTED)
        correlation.set_current(envelope.correlation_id)
        HANDLERS[envelope.type](envelope)
    except EventRejected as exc:
        receives = record.get("attributes", {}).get("ApproximateReceiveCount")
        log.error(
            "event rejected: it fails until its queue moves it to the DLQ",
            extra={"message_id": message_id, "reason": str(exc), "receive_count": receives},
        )
        return False
    except EventInFlight as exc:
        log.info("event being notified by another delivery; left for later", extra={"reason": str(exc)})
        return False
    except Exception:
        log.exception("event failed; left for redelivery", extra={"message_id": message_id})
        return False
    return True
