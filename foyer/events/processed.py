"""Processed-event records: a consumer's effect and the record of the event that caused it are one
transaction, so a redelivered event (SQS is at-least-once; the relay may publish twice) has no
second effect.

Item: `pk` = `processed#<event id>` (and `processed` under the sort key of a table that has one),
`type`, `processed_at`, and `expires_at` (epoch seconds, the table's TTL attribute). The record must
outlive every redelivery: SQS keeps a message at most 14 days, so records expire after 15.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from foyer.dynamodb import Condition, Table, TransactionCanceled, single_key, transact
from foyer.events.envelope import Envelope

PREFIX = "processed#"
TTL_ATTRIBUTE = "expires_at"
RETENTION = timedelta(days=15)
_CONDITION_FAILED = "ConditionalCheckFailed"


def processed_key(event_id: str, sort_key: str | None = None) -> dict[str, str]:
    return single_key(PREFIX + event_id, sort_key, "processed")


class ProcessedEvents:
    """The processed-event records of one consumer's table (`sort_key`: as for foyer.events.Outbox)."""

    def __init__(
        self, table: Table, *, retention: timedelta = RETENTION, sort_key: str | None = None
    ) -> None:
        self.table = table
        self.retention = retention
        self.sort_key = sort_key

    def already_processed(self, event_id: str) -> bool:
        """True when an effect of `event_id` was committed (a consistent read: no stale answer)."""
        return self.table.get(processed_key(event_id, self.sort_key), consistent=True) is not None

    def record_op(self, envelope: Envelope, *, now: datetime | None = None) -> dict[str, Any]:
        """The TransactItems entry recording `envelope` as processed; it fails the transaction when
        the event was recorded before."""
        at = now or datetime.now(UTC)
        item = {
            **processed_key(envelope.id, self.sort_key),
            "type": envelope.type,
            "processed_at": at.isoformat(),
            TTL_ATTRIBUTE: int((at + self.retention).timestamp()),
        }
        return self.table.put_op(item, condition=Condition("attribute_not_exists(#pk)", {"#pk": "pk"}))

    def apply_once(
        self, envelope: Envelope, operations: Sequence[dict[str, Any]], *, now: datetime | None = None
    ) -> bool:
        """Commit `operations` (the effect of `envelope`) with its processed record, all or nothing.

        Returns False, with nothing written, when the event was processed before. Any other
        cancellation (another operation's condition, a conflict) is re-raised as TransactionCanceled
        for the consumer to interpret; its reasons cover `operations` in order, then the record.
        """
        try:
            transact([*operations, self.record_op(envelope, now=now)])
        except TransactionCanceled as exc:
            if recorded_before(exc):
                return False
            raise
        return True


def recorded_before(exc: TransactionCanceled) -> bool:
    """Whether a transaction whose last operation was a `record_op` failed because the event was
    processed before (its record already existed)."""
    return bool(exc.reasons) and exc.reasons[-1] == _CONDITION_FAILED
