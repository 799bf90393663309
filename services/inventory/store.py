"""Stock and reservations in one DynamoDB table keyed by `pk`: `stock#<sku>`, `reservation#<order>`,
and the event items of foyer.events: `outbox#<event id>` (events to publish) and `processed#<event id>`
(events consumed).

Every change that touches several items is one transaction, so stock is never half-reserved. A
change caused by an event commits with that event's processed record and the event it announces, so a
redelivered event has no second effect and an announced change is never lost.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from foyer.dynamodb import Condition, Table, TransactionCanceled, transact
from foyer.events import AlreadyProcessed, Envelope, Outbox, ProcessedEvents
from foyer.events.processed import recorded_before
from foyer.retry import TryAgain, attempts
from services.inventory.domain import (
    Contended,
    HeldLine,
    InsufficientStock,
    Reservation,
    ReservationCommitted,
    ReservationIn,
    ReservationMismatch,
    ReservationNotFound,
    ReservationReleased,
    Stock,
    UnknownSkus,
    new_reservation,
    shortfalls,
    unknown_skus,
)


class Outcome(enum.Enum):
    """What a cancelled reservation transaction means, from its cancellation reasons."""

    ALREADY_RESERVED = "already-reserved"  # the order's reservation exists: compare its lines
    STOCK_CHECK_FAILED = "stock-check-failed"  # some sku is unknown or short: read the stock
    ALREADY_RELEASED = "already-released"  # release found the reservation no longer `reserved`
    CONTENDED = "contended"  # another transaction held an item: try again
    UNEXPECTED = "unexpected"


CONDITION_FAILED = "ConditionalCheckFailed"
CONFLICT = "TransactionConflict"


def reservation_outcome(reasons: Sequence[str], line_count: int, *, extra: int = 0) -> Outcome:
    """Map the reasons of a cancelled reserve transaction (one stock update per line, then the
    reservation put, then `extra` event operations whose refusals the caller reads) to what to do.
    The existing reservation wins over stock failures: a repeated request must find the first
    answer even when the stock is gone since."""
    if len(reasons) != line_count + 1 + extra:
        return Outcome.UNEXPECTED
    line_reasons, reservation_reason = reasons[:line_count], reasons[line_count]
    if reservation_reason == CONDITION_FAILED:
        return Outcome.ALREADY_RESERVED
    if CONDITION_FAILED in line_reasons:
        return Outcome.STOCK_CHECK_FAILED
    if CONFLICT in reasons:
        return Outcome.CONTENDED
    return Outcome.UNEXPECTED


def release_outcome(reasons: Sequence[str]) -> Outcome:
    """Map the reasons of a cancelled release transaction (the reservation update, then the stock)."""
    if not reasons:
        return Outcome.UNEXPECTED
    if reasons[0] == CONDITION_FAILED:
        return Outcome.ALREADY_RELEASED
    if CONFLICT in reasons:
        return Outcome.CONTENDED
    return Outcome.UNEXPECTED


# TransactionConflict (another transaction on one of our items) is worth a few quick retries.
MAX_ATTEMPTS = 4

_COUNTERS = {"#available": "available", "#reserved": "reserved", "#pk": "pk"}


def stock_key(sku: str) -> dict[str, str]:
    return {"pk": f"stock#{sku}"}


def reservation_key(order_id: str) -> dict[str, str]:
    return {"pk": f"reservation#{order_id}"}


class InventoryStore:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.outbox = Outbox(table)
        self.processed = ProcessedEvents(table)

    # Stock.
    def set_available(self, sku: str, available: int) -> Stock:
        item = self.table.update(
            stock_key(sku),
            Condition(
                "SET #sku = :sku, #available = :available, #reserved = if_not_exists(#reserved, :zero)",
                {"#sku": "sku", "#available": "available", "#reserved": "reserved"},
                {":sku": sku, ":available": available, ":zero": 0},
            ),
        )
        return Stock.model_validate(item)

    def get_stock(self, sku: str) -> Stock | None:
        item = self.table.get(stock_key(sku), consistent=True)
        return Stock.model_validate(item) if item else None

    def stock_levels(self, skus: Sequence[str]) -> dict[str, Stock]:
        """The stock of every known sku among `skus`, by sku."""
        items = self.table.batch_get([stock_key(sku) for sku in skus])
        return {stock.sku: stock for stock in (Stock.model_validate(i) for i in items)}

    # Reservations.
    def get_reservation(self, order_id: str) -> Reservation | None:
        item = self.table.get(reservation_key(order_id), consistent=True)
        return Reservation.model_validate(item) if item else None

    def reserve(
        self,
        request: ReservationIn,
        *,
        now: datetime,
        cause: Envelope | None = None,
        announce: Envelope | None = None,
    ) -> tuple[Reservation, bool]:
        """Hold every line's quantity for the order, or nothing. Returns the reservation and whether
        this call created it (False: the same request was served before).

        With `cause` (the event asking for it), a reservation this call creates commits with the
        event's processed record and `announce` in the outbox, all or nothing; nothing is recorded
        when it creates none (a failure, or False).

        Raises UnknownSkus, InsufficientStock, ReservationMismatch (the order holds other lines),
        ReservationReleased (the order reserved once and released), AlreadyProcessed (`cause` was
        processed before) or Contended (concurrent transactions kept colliding).
        """
        reservation = new_reservation(request, now)
        ops = [self._take_op(line) for line in reservation.lines]
        ops.append(
            self.table.put_op(
                {**reservation_key(reservation.order_id), **reservation.model_dump(mode="json")},
                condition=Condition("attribute_not_exists(#pk)", {"#pk": "pk"}),
            )
        )
        event_ops = self._event_ops(cause, announce, now)
        try:
            for attempt in attempts(MAX_ATTEMPTS):
                with attempt:
                    return self._try_reserve(request, reservation, ops, event_ops, cause)
        except TryAgain:
            pass
        raise Contended(f"reservation of order {reservation.order_id} kept colliding")

    def record(self, cause: Envelope, announce: Envelope | None = None, *, now: datetime) -> None:
        """Record `cause` as processed with `announce` in the outbox (an effect that needs no other
        write). Raises AlreadyProcessed when `cause` was processed before."""
        if not self.processed.apply_once(cause, self._event_ops(None, announce, now), now=now):
            raise AlreadyProcessed(cause.id)

    def _event_ops(
        self, cause: Envelope | None, announce: Envelope | None, now: datetime
    ) -> list[dict[str, Any]]:
        # The processed record goes last: foyer.events.processed.recorded_before reads its refusal there.
        ops = [] if announce is None else [self.outbox.put_op(announce)]
        return ops if cause is None else [*ops, self.processed.record_op(cause, now=now)]

    def _try_reserve(
        self,
        request: ReservationIn,
        reservation: Reservation,
        ops: list[dict[str, Any]],
        event_ops: list[dict[str, Any]],
        cause: Envelope | None,
    ) -> tuple[Reservation, bool]:
        try:
            transact([*ops, *event_ops])
        except TransactionCanceled as exc:
            if cause is not None and recorded_before(exc):
                raise AlreadyProcessed(cause.id) from exc
            reasons = exc.reasons
            outcome = reservation_outcome(reasons, len(reservation.lines), extra=len(event_ops))
        else:
            return reservation, True
        if outcome is Outcome.ALREADY_RESERVED:
            existing = self.get_reservation(reservation.order_id)
            if existing is None:  # deleted in between: cannot happen today, but try again
                raise TryAgain
            if existing.status == "released":
                raise ReservationReleased(existing)
            if existing.answers(request):
                return existing, False
            raise ReservationMismatch(existing)
        if outcome is Outcome.STOCK_CHECK_FAILED:
            stock = self.stock_levels([line.sku for line in reservation.lines])
            unknown = unknown_skus(reservation.lines, stock)
            if unknown:
                raise UnknownSkus(unknown)
            short = shortfalls(reservation.lines, stock)
            if short:
                raise InsufficientStock(short)
            # Enough stock now (replenished since, or a stale read): try again.
        elif outcome is Outcome.UNEXPECTED:
            raise RuntimeError(f"reservation transaction cancelled: {reasons}")
        raise TryAgain

    def release(
        self, order_id: str, *, now: datetime, cause: Envelope | None = None, bar: bool = False
    ) -> Reservation:
        """Return a reservation's quantities to available stock, once. Releasing a released
        reservation changes nothing and returns it. With `cause` (the event asking for it), the
        release commits with the event's processed record. With `bar`, an order holding nothing yet
        gets a released reservation holding nothing, so it can never reserve later (a cancellation
        that overtook its order's placement). Raises ReservationNotFound (without `bar`),
        ReservationCommitted (its order was confirmed: the units are sold), AlreadyProcessed (`cause`
        was processed before) or Contended."""
        return self._settle(order_id, "released", now, cause, bar=bar)

    def commit(self, order_id: str, *, now: datetime, cause: Envelope | None = None) -> Reservation:
        """Take a reservation's quantities off the shelf for good (its order is confirmed), once:
        reserved goes down by each line's quantity and available stays, so on hand (available +
        reserved) goes down with it. Committing a committed reservation changes nothing and returns
        it. With `cause` (the event asking for it), the commit commits with the event's processed
        record. Raises ReservationNotFound, ReservationReleased (its stock went back to the shelf),
        AlreadyProcessed (`cause` was processed before) or Contended."""
        return self._settle(order_id, "committed", now, cause, bar=False)

    def _settle(
        self,
        order_id: str,
        to: Literal["released", "committed"],
        now: datetime,
        cause: Envelope | None,
        *,
        bar: bool,
    ) -> Reservation:
        event_ops = self._event_ops(cause, None, now)
        try:
            for attempt in attempts(MAX_ATTEMPTS):
                with attempt:
                    return self._try_settle(order_id, to, now, event_ops, cause, bar=bar)
        except TryAgain:
            pass
        raise Contended(f"{to} reservation of order {order_id} kept colliding")

    def _try_settle(
        self,
        order_id: str,
        to: Literal["released", "committed"],
        now: datetime,
        event_ops: list[dict[str, Any]],
        cause: Envelope | None,
        *,
        bar: bool,
    ) -> Reservation:
        # One transaction moves a `reserved` reservation to `to` and every line's counters with it.
        reservation = self.get_reservation(order_id)
        if reservation is None:
            if not bar:
                raise ReservationNotFound(order_id)
            return self._bar(order_id, now, event_ops, cause)
        if reservation.status == to:
            return reservation
        if reservation.status == "committed":
            raise ReservationCommitted(reservation)
        if reservation.status == "released":
            raise ReservationReleased(reservation)
        settled = reservation.model_copy(update={"status": to, "updated_at": now})
        line_op = self._give_back_op if to == "released" else self._commit_op
        ops = [
            self.table.update_op(
                reservation_key(order_id),
                Condition(
                    "SET #status = :to, #updated_at = :now",
                    {"#status": "status", "#updated_at": "updated_at"},
                    {
                        ":to": to,
                        ":reserved": "reserved",
                        ":now": settled.model_dump(mode="json")["updated_at"],
                    },
                ),
                condition=Condition("#status = :reserved"),
            ),
            *(line_op(line) for line in reservation.lines),
            *event_ops,
        ]
        try:
            transact(ops)
        except TransactionCanceled as exc:
            if cause is not None and recorded_before(exc):
                raise AlreadyProcessed(cause.id) from exc
            if release_outcome(exc.reasons) is Outcome.UNEXPECTED:
                raise RuntimeError(f"{to} transaction cancelled: {exc.reasons}") from exc
            # CONTENDED: back off and retry; ALREADY_RELEASED (settled meanwhile): the next read says how.
            raise TryAgain from exc
        return settled

    def _bar(
        self, order_id: str, now: datetime, event_ops: list[dict[str, Any]], cause: Envelope | None
    ) -> Reservation:
        barred = Reservation(order_id=order_id, lines=[], status="released", created_at=now, updated_at=now)
        put = self.table.put_op(
            {**reservation_key(order_id), **barred.model_dump(mode="json")},
            condition=Condition("attribute_not_exists(#pk)", {"#pk": "pk"}),
        )
        try:
            transact([put, *event_ops])
        except TransactionCanceled as exc:
            if cause is not None and recorded_before(exc):
                raise AlreadyProcessed(cause.id) from exc
            if exc.reasons[:1] == [CONDITION_FAILED]:
                raise TryAgain from exc  # reserved meanwhile: release that reservation instead
            raise RuntimeError(f"bar transaction cancelled: {exc.reasons}") from exc
        return barred

    def _take_op(self, line: HeldLine) -> dict[str, Any]:
        return self.table.update_op(
            stock_key(line.sku),
            Condition(
                "SET #available = #available - :q, #reserved = #reserved + :q",
                _COUNTERS,
                {":q": line.quantity},
            ),
            condition=Condition("attribute_exists(#pk) AND #available >= :q"),
        )

    def _commit_op(self, line: HeldLine) -> dict[str, Any]:
        # The units leave the shelf: reserved goes down, available stays (it never counted them).
        return self.table.update_op(
            stock_key(line.sku),
            # DynamoDB refuses an expression attribute name the expressions do not use: no #available.
            Condition(
                "SET #reserved = #reserved - :q",
                {"#reserved": "reserved", "#pk": "pk"},
                {":q": line.quantity},
            ),
            condition=Condition("attribute_exists(#pk) AND #reserved >= :q"),
        )

    def _give_back_op(self, line: HeldLine) -> dict[str, Any]:
        # `reserved >= :q` holds whenever the reservation is `reserved`; if it ever did not, the
        # transaction fails instead of driving a counter negative.
        return self.table.update_op(
            stock_key(line.sku),
            Condition(
                "SET #available = #available + :q, #reserved = #reserved - :q",
                _COUNTERS,
                {":q": line.quantity},
            ),
            condition=Condition("attribute_exists(#pk) AND #reserved >= :q"),
        )
