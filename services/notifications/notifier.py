"""Telling a customer of an order event: one e-mail, one SNS message, once per event id.

The order of work, and why, is in store.py's docstring: check the processed record, claim the event,
send each step the claim does not mark done (marking it right after), then write the processed record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import ValidationError

from foyer.events import Envelope, MalformedEvent
from services.notifications.domain import Kind, OrderEvent, OrderNews, Sent
from services.notifications.messages import render
from services.notifications.senders import Mailer, Topic
from services.notifications.store import NotificationsStore

log = logging.getLogger("services.notifications")


def news_of(envelope: Envelope) -> OrderNews:
    """What `envelope`'s data says of its order. Raises MalformedEvent when a field read is missing
    or wrong (no retry can cure that)."""
    try:
        return OrderNews.model_validate(envelope.data)
    except ValidationError as exc:
        fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise MalformedEvent(f"{envelope.type} data: {fields}") from None


class Notifier:
    def __init__(
        self,
        store: NotificationsStore,
        mailer: Mailer,
        topic: Topic,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.mailer = mailer
        self.topic = topic
        self.clock = clock

    def notify(self, envelope: Envelope) -> bool:
        """Send what `envelope` (an OrderConfirmed or OrderCancelled) calls for, unless it was sent
        before; True when this call finished the sending, False when an earlier delivery had.

        Raises MalformedEvent for unreadable data, EventInFlight while another delivery sends it,
        ClaimLost when a slower delivery's claim was taken over, and the senders' errors.
        """
        event = OrderEvent(envelope.type)
        news = news_of(envelope)
        if self.store.already_processed(envelope.id):
            log.info("event already notified", extra={"event_id": envelope.id, "order_id": news.order_id})
            return False
        claim = self.store.claim(envelope.id)
        email = render(event, news)
        order_id = news.order_id

        def record(kind: Kind, to: str, message_id: str) -> None:
            sent = Sent(
                kind=kind,
                to=to,
                subject=email.subject,
                sent_at=self.clock(),
                event_id=envelope.id,
                event_type=envelope.type,
                message_id=message_id,
            )
            self.store.record_sent(claim, order_id, sent)
            log.info(
                "notification sent", extra={"kind": kind, "event_id": envelope.id, "order_id": news.order_id}
            )

        if "email" not in claim.done:
            record("email", news.contact_email, self.mailer.send(news.contact_email, email))
        if "sns" not in claim.done:
            record("sns", self.topic.arn, self.topic.publish(envelope))
        return self.store.complete(claim, envelope)
