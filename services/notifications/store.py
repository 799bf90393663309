"""Notifications in DynamoDB, one table keyed by `pk`:

- `order#<order id>`: what was sent for the order, a list `sent` in sending order (the read API);
- `sending#<event id>`: the claim on an event being notified: who holds it (`token`), since when
  (`claimed_at_ms`), and the message id of each step done (`done_email`, `done_sns`);
- `processed#<event id>`: the event's processed record (foyer.events.ProcessedEvents), written once
  every step is done. Claims and records expire with `expires_at` (the table's TTL attribute).

Why a claim first and the processed record last (at least once, not at most once): an e-mail or an
SNS message cannot be in a DynamoDB transaction, so either the record is written before the sends (a
crash after it loses the e-mail for good) or after them (a crash before it sends again). A lost
confirmation is worse than a rare duplicate, so the record comes last. The claim, one conditional
write before any send, keeps the duplicate window to a crash between a send and its mark: a second
delivery arriving while the first is sending finds a live claim and is retried later (not sent
again), and a delivery that takes over a dead holder's claim (after the lease) skips the steps the
claim says are done. SES and SNS standard topics take no idempotency key, so that window cannot close.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, get_args

from foyer.dynamodb import Condition, ConditionFailed, Table, TransactionCanceled, transact
from foyer.events import Envelope, ProcessedEvents
from foyer.events.processed import RETENTION, TTL_ATTRIBUTE
from services.notifications.domain import ClaimLost, EventInFlight, Kind, OrderNotifications, Sent

KINDS: tuple[Kind, ...] = get_args(Kind)
# Longer than a consumer invocation may run (the function's timeout, 30 s at most here), so a live
# holder never loses its claim; short beside the queue's visibility timeout (at least 6x the
# function's), so the redelivery after a crash finds the claim free to take over.
CLAIM_LEASE = timedelta(seconds=60)


def order_key(order_id: str) -> dict[str, str]:
    return {"pk": f"order#{order_id}"}


def claim_key(event_id: str) -> dict[str, str]:
    return {"pk": f"sending#{event_id}"}


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class Claim:
    """The right to send the notifications of one event, and the steps already done under it."""

    event_id: str
    token: str
    done: frozenset[Kind]


class NotificationsStore:
    def __init__(self, table: Table, *, lease: timedelta = CLAIM_LEASE) -> None:
        self.table = table
        self.processed = ProcessedEvents(table)
        self.lease_ms = int(lease.total_seconds() * 1000)

    def already_processed(self, event_id: str) -> bool:
        """True once every notification of `event_id` was sent and recorded."""
        return self.processed.already_processed(event_id)

    def claim(self, event_id: str, *, now_ms: int | None = None) -> Claim:
        """Claim the sending of `event_id`: free, or held by a delivery whose lease ran out (its done
        steps stay done). Raises EventInFlight while another delivery holds a live claim."""
        now = _now_ms() if now_ms is None else now_ms
        token = uuid.uuid4().hex
        update = Condition(
            "SET #token = :token, #claimed = :now, #expires = :expires",
            {"#token": "token", "#claimed": "claimed_at_ms", "#expires": TTL_ATTRIBUTE},
            {":token": token, ":now": now, ":expires": (now // 1000) + int(RETENTION.total_seconds())},
        )
        free = Condition(
            "attribute_not_exists(#pk) OR #claimed <= :stale",
            {"#pk": "pk", "#claimed": "claimed_at_ms"},
            {":stale": now - self.lease_ms},
        )
        try:
            item = self.table.update(claim_key(event_id), update, condition=free)
        except ConditionFailed as refused:
            held_since = int((refused.item or {}).get("claimed_at_ms", now))
            retry_after = max(1, -(-(held_since + self.lease_ms - now) // 1000))
            raise EventInFlight(event_id, retry_after) from refused
        return Claim(event_id, token, frozenset(kind for kind in KINDS if f"done_{kind}" in item))

    def record_sent(self, claim: Claim, order_id: str, sent: Sent) -> None:
        """Mark `sent.kind` done under `claim` and add `sent` to the order's list, both or neither.
        Raises ClaimLost when the claim was taken over (the step is then not marked)."""
        done = Condition(
            "SET #done = :message_id", {"#done": f"done_{sent.kind}"}, {":message_id": sent.message_id}
        )
        append = Condition(
            "SET #order_id = :order_id, #sent = list_append(if_not_exists(#sent, :none), :new)",
            {"#order_id": "order_id", "#sent": "sent"},
            {":order_id": order_id, ":none": [], ":new": [sent.model_dump(mode="json")]},
        )
        try:
            transact(
                [
                    self.table.update_op(claim_key(claim.event_id), done, condition=_held_by(claim)),
                    self.table.update_op(order_key(order_id), append),
                ],
                client=self.table.client,
            )
        except TransactionCanceled as exc:
            if exc.reasons[:1] == ["ConditionalCheckFailed"]:
                raise ClaimLost(claim.event_id) from exc
            raise

    def complete(self, claim: Claim, envelope: Envelope) -> bool:
        """Record `envelope` as processed while `claim` still holds; False when it already was.
        Raises ClaimLost when the claim was taken over (the new holder completes)."""
        try:
            return self.processed.apply_once(
                envelope, [self.table.check_op(claim_key(claim.event_id), _held_by(claim))]
            )
        except TransactionCanceled as exc:
            if exc.reasons[:1] == ["ConditionalCheckFailed"]:
                raise ClaimLost(claim.event_id) from exc
            raise

    def sent_for(self, order_id: str) -> OrderNotifications:
        """What was sent for `order_id`, oldest first."""
        item: dict[str, Any] = self.table.get(order_key(order_id), consistent=True) or {}
        sent = [Sent.model_validate(entry) for entry in item.get("sent", [])]
        return OrderNotifications(order_id=order_id, items=sorted(sent, key=lambda s: s.sent_at))


def _held_by(claim: Claim) -> Condition:
    return Condition("#token = :token", {"#token": "token"}, {":token": claim.token})
