"""Payments in DynamoDB, one table (keyed by `pk`) with the payments, their outbox and the events done.

- `payment#<order id>`: the order's settled payment (one per order: a conditional put; refunded
  once, by a put conditional on its being authorized);
- `cancelled#<order id>`: the order was cancelled (its `OrderCancelled` came): a `StockReserved`
  arriving later charges nothing;
- `charge-tries#<order id>`: deliveries of the order's charge that got no answer from the provider
  (domain.ChargeTries), kept 15 days like the processed records;
- `outbox#<event id>`: the outcome events, written with the payment (foyer.events);
- `processed#<event id>`: the `StockReserved` events already acted on (foyer.events).

The payment, its event and the processed record of the event that caused it are one transaction:
a redelivered `StockReserved` finds its record and emits nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from foyer.dynamodb import Condition, Table, TransactionCanceled, transact
from foyer.events import Envelope, Outbox, ProcessedEvents
from foyer.events.processed import RETENTION, TTL_ATTRIBUTE
from services.payments.domain import ChargeTries, Payment

_CONDITION_FAILED = "ConditionalCheckFailed"


def payment_key(order_id: str) -> dict[str, str]:
    return {"pk": f"payment#{order_id}"}


def cancelled_key(order_id: str) -> dict[str, str]:
    return {"pk": f"cancelled#{order_id}"}


def tries_key(order_id: str) -> dict[str, str]:
    return {"pk": f"charge-tries#{order_id}"}


class PaymentsStore:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.outbox = Outbox(table)
        self.processed = ProcessedEvents(table)

    def get(self, order_id: str) -> Payment | None:
        item = self.table.get(payment_key(order_id), consistent=True)
        return Payment.model_validate(item) if item else None

    def tries(self, order_id: str) -> ChargeTries | None:
        """The failed deliveries of the order's charge so far, or None when there was none."""
        item = self.table.get(tries_key(order_id), consistent=True)
        return ChargeTries.model_validate(item) if item else None

    def bar(self, order_id: str, cause: Envelope, now: datetime) -> None:
        """Mark the order cancelled (`cause` says so), with `cause` as processed; once."""
        expires_at = int((now + RETENTION).timestamp())
        item = {**cancelled_key(order_id), "order_id": order_id, TTL_ATTRIBUTE: expires_at}
        self.processed.apply_once(cause, [self.table.put_op(item)], now=now)

    def barred(self, order_id: str) -> bool:
        """Whether the order was cancelled, so nothing may be charged for it any more."""
        return self.table.get(cancelled_key(order_id), consistent=True) is not None

    def record(self, cause: Envelope, now: datetime) -> None:
        """Record `cause` as processed with no other effect (idempotent)."""
        self.processed.apply_once(cause, [], now=now)

    def already_processed(self, cause: Envelope) -> bool:
        return self.processed.already_processed(cause.id)

    def settle(self, payment: Payment, event: Envelope, cause: Envelope) -> bool:
        """Store `payment`, its `event` and `cause` as processed, all or nothing.

        False, with nothing written, when `cause` was processed before or the order's payment was
        settled already (by another event, or a concurrent delivery of this one).
        """
        operations = [
            self.table.put_op(
                {**payment_key(payment.order_id), **payment.model_dump(mode="json", exclude_none=True)},
                condition=Condition("attribute_not_exists(#pk)", {"#pk": "pk"}),
            ),
            self.outbox.put_op(event),
        ]
        try:
            return self.processed.apply_once(cause, operations)
        except TransactionCanceled as exc:
            if exc.reasons[:1] == [_CONDITION_FAILED]:
                return False
            raise

    def refund(self, payment: Payment, event: Envelope) -> bool:
        """Store the refunded `payment` over its authorized one, with its `event`, all or nothing.
        False, with nothing written, when it is not authorized any more (refunded meanwhile)."""
        operations = [
            self.table.put_op(
                {**payment_key(payment.order_id), **payment.model_dump(mode="json", exclude_none=True)},
                condition=Condition(
                    "#status = :authorized", {"#status": "status"}, {":authorized": "authorized"}
                ),
            ),
            self.outbox.put_op(event),
        ]
        try:
            transact(operations)
        except TransactionCanceled as exc:
            if exc.reasons[:1] == [_CONDITION_FAILED]:
                return False
            raise
        return True

    def record_failure(self, order_id: str, reason: str, attempts: int, now: datetime) -> ChargeTries:
        """Count one more delivery that got no answer (`attempts` provider calls) and return the tally."""
        expires_at = int((now + RETENTION).timestamp())
        update = Condition(
            "SET #order_id = :order_id, #first_at = if_not_exists(#first_at, :now), #reason = :reason,"
            " #expires = :expires ADD #failures :one, #attempts :attempts",
            {
                "#order_id": "order_id",
                "#first_at": "first_at",
                "#reason": "last_reason",
                "#expires": TTL_ATTRIBUTE,
                "#failures": "failures",
                "#attempts": "attempts",
            },
            {
                ":order_id": order_id,
                ":now": now.isoformat(),
                ":reason": reason,
                ":expires": expires_at,
                ":one": 1,
                ":attempts": attempts,
            },
        )
        item: dict[str, Any] = self.table.update(tries_key(order_id), update)
        return ChargeTries.model_validate(item)
