"""Telling a customer of an order event: one e-mail, one SNS message, once per event id.

The order of work, and why, is in store.py's docstring: check the processed record, claim the event,
send each step the claim does not mark done (marking it right after), then write the processed record.
Each channel is tried whatever the other did: one that fails (SES refusing the address, SNS down) is
raised after the other was sent, so the redelivery sends only what is missing and a channel that can
never be sent reaches the DLQ alone, the other delivered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from foyer.contracts import mailbox
from foyer.events import Envelope
from services.notifications.domain import ChannelsFailed, Kind, OrderNews, Sent
from services.notifications.messages import render
from services.notifications.senders import Mailer, Topic
from services.notifications.store import NotificationsStore

log = logging.getLogger("services.notifications")


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

    def notify(self, envelope: Envelope, news: OrderNews) -> bool:
        """Send what `news` (the data of `envelope`, an OrderConfirmed or OrderCancelled) calls for,
        unless it was sent before; True when this call finished the sending, False when an earlier
        delivery had.

        Raises EventInFlight while another delivery sends it,
        ClaimLost when a slower delivery's claim was taken over, and ChannelsFailed, once every channel
        was tried, naming those that failed.
        """
        if self.store.already_processed(envelope.id):
            log.info("event already notified", extra={"event_id": envelope.id, "order_id": news.order_id})
            return False
        claim = self.store.claim(envelope.id)
        email = render(news)
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

        def send_email() -> tuple[str, str]:
            # Parsed as SES parses it: an address it would refuse fails this channel alone.
            to = mailbox(news.contact_email)
            return to, self.mailer.send(to, email)

        def publish() -> tuple[str, str]:
            return self.topic.arn, self.topic.publish(envelope)

        failed: dict[Kind, str] = {}
        channels: tuple[tuple[Kind, Callable[[], tuple[str, str]]], ...] = (
            ("email", send_email),
            ("sns", publish),
        )
        for kind, send in channels:
            if kind in claim.done:
                continue
            try:
                to, message_id = send()
            except Exception as exc:
                failed[kind] = f"{type(exc).__name__}: {exc}"
                log.warning(
                    "notification failed; the other channels are still tried",
                    extra={
                        "kind": kind,
                        "event_id": envelope.id,
                        "order_id": order_id,
                        "reason": failed[kind],
                    },
                )
                continue
            record(kind, to, message_id)
        if failed:
            raise ChannelsFailed(envelope.id, failed)
        return self.store.complete(claim, envelope)
