"""Notifications' event consumer, the Lambda entry point of its SQS queue:
`services.notifications.consumers.handler` (the event source mapping reports batch item failures).

One plain function per event contract, in `ROUTES`; foyer.events.Consumer runs the batch: each
record is parsed, carries its event's correlation id into the logs and fails alone (a partial batch
response), so a malformed event or an unknown version never holds back the others and reaches the
DLQ after its retries, its reason logged.

Wired here, not in deps.py: deps.py is the HTTP app's and imports FastAPI, which the consumer
Lambda does not need to pay for at init.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache

from foyer import logging as foyer_logging
from foyer.contracts import EventData, OrderCancelled, OrderConfirmed
from foyer.dynamodb import Table
from foyer.events import Consumer, Envelope, TooEarly, lambda_handler, read_data
from services.notifications.domain import EventInFlight, OrderNews
from services.notifications.notifier import Notifier
from services.notifications.senders import Mailer, Topic
from services.notifications.settings import SendingSettings
from services.notifications.store import NotificationsStore


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


def _notify(envelope: Envelope, news: OrderNews) -> None:
    try:
        get_notifier().notify(envelope, news)
    except EventInFlight as exc:
        # Another delivery holds the claim: this one comes back after the visibility timeout.
        raise TooEarly(str(exc)) from exc


def on_order_confirmed(envelope: Envelope) -> None:
    """Tell the customer their order is confirmed (once per event)."""
    _notify(envelope, read_data(envelope, OrderConfirmed))


def on_order_cancelled(envelope: Envelope) -> None:
    """Tell the customer their order was cancelled, and why (once per event)."""
    _notify(envelope, read_data(envelope, OrderCancelled))


ROUTES: Mapping[type[EventData], Callable[[Envelope], None]] = {
    OrderConfirmed: on_order_confirmed,
    OrderCancelled: on_order_cancelled,
}


def _consumer() -> Consumer:
    get_notifier()  # wired (and JSON logging set up) before any record logs, a rejected one included
    return Consumer(ROUTES)


handler = lambda_handler(_consumer, settings=SendingSettings)
