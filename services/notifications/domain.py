"""Notifications' model: what an order event says the customer must hear, and what was sent for an order.

Pure Python, no I/O: the sending is senders.py, the records store.py, the templates messages.py.

The events are the orders service's `OrderConfirmed` and `OrderCancelled` (version 1, in
foyer.contracts). Fields their contract does not name are ignored, so orders may add some without
breaking this consumer; a field it names that is missing or of the wrong type makes the event
unreadable (it fails alone and ends in the DLQ).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from foyer.contracts import OrderCancelled, OrderConfirmed

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
# The order events a notification tells of.
OrderNews = OrderConfirmed | OrderCancelled


Kind = Literal["email", "sns"]


class Sent(BaseModel):
    """One notification sent for an order: how, to whom, about what, when, and for which event."""

    kind: Kind
    to: str
    subject: str
    sent_at: datetime
    event_id: str
    event_type: str
    message_id: str


class OrderNotifications(BaseModel):
    """Everything sent for one order, oldest first (an order nothing was sent for has no items)."""

    order_id: str
    items: list[Sent]


class EventInFlight(Exception):
    """Another delivery of the same event holds the claim to send it: try again after it ends."""

    def __init__(self, event_id: str, retry_after_s: int) -> None:
        super().__init__(
            f"event {event_id} is being notified by another delivery; retry in {retry_after_s} s"
        )
        self.event_id = event_id
        self.retry_after_s = retry_after_s


class ChannelsFailed(Exception):
    """Channels of one event that could not be sent (kind -> reason); the others were. The message
    fails, and its redelivery sends only what is missing, until the queue moves it to the DLQ."""

    def __init__(self, event_id: str, failed: dict[Kind, str]) -> None:
        reasons = "; ".join(f"{kind}: {reason}" for kind, reason in failed.items())
        super().__init__(f"event {event_id}: {', '.join(failed)} not sent ({reasons})")
        self.event_id = event_id
        self.failed = failed


class ClaimLost(Exception):
    """The claim on an event was taken over (its lease ran out): the new holder finishes the sending."""

    def __init__(self, event_id: str) -> None:
        super().__init__(f"the claim on event {event_id} was taken over")
        self.event_id = event_id
