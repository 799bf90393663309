"""What a cancelled inventory transaction means, from its cancellation reasons (store.py; no I/O)."""

from __future__ import annotations

import pytest

from services.inventory.store import Outcome, release_outcome, reservation_outcome

OK, FAILED, CONFLICT = "None", "ConditionalCheckFailed", "TransactionConflict"


# What a cancelled transaction means. Reserve: one stock update per line, then the reservation put.
@pytest.mark.parametrize(
    ("reasons", "outcome"),
    [
        ([OK, FAILED], Outcome.ALREADY_RESERVED),
        ([FAILED, FAILED], Outcome.ALREADY_RESERVED),  # a repeat wins over stock gone since
        ([OK, OK, FAILED], Outcome.ALREADY_RESERVED),
        ([FAILED, OK], Outcome.STOCK_CHECK_FAILED),
        ([OK, FAILED, OK], Outcome.STOCK_CHECK_FAILED),
        ([FAILED, CONFLICT, OK], Outcome.STOCK_CHECK_FAILED),
        ([CONFLICT, OK], Outcome.CONTENDED),
        ([OK, CONFLICT], Outcome.CONTENDED),
        ([OK, "ThrottlingError"], Outcome.UNEXPECTED),
        ([OK, OK], Outcome.UNEXPECTED),
        ([FAILED], Outcome.UNEXPECTED),  # not the shape we sent
        ([], Outcome.UNEXPECTED),
    ],
)
def test_reservation_outcome(reasons: list[str], outcome: Outcome) -> None:
    line_count = 2 if len(reasons) == 3 else 1
    assert reservation_outcome(reasons, line_count) is outcome


@pytest.mark.parametrize(
    ("reasons", "outcome"),
    [
        ([FAILED, OK, OK], Outcome.ALREADY_RELEASED),
        ([OK, CONFLICT], Outcome.CONTENDED),
        ([CONFLICT, OK], Outcome.CONTENDED),
        ([OK, FAILED], Outcome.UNEXPECTED),  # stock that cannot take its units back: a bug, not a retry
        ([], Outcome.UNEXPECTED),
    ],
)
def test_release_outcome(reasons: list[str], outcome: Outcome) -> None:
    assert release_outcome(reasons) is outcome


# Reserve for an event: one line, the reservation put, then the outbox put and the processed record
# (a refused processed record is read before this mapping: foyer.events.processed.recorded_before).
@pytest.mark.parametrize(
    ("reasons", "outcome"),
    [
        ([OK, FAILED, OK, OK], Outcome.ALREADY_RESERVED),
        ([FAILED, OK, OK, OK], Outcome.STOCK_CHECK_FAILED),
        ([OK, OK, OK, CONFLICT], Outcome.CONTENDED),  # another consumer on the same event
        ([OK, OK, OK, OK], Outcome.UNEXPECTED),
        ([OK, FAILED], Outcome.UNEXPECTED),  # not the shape we sent
    ],
)
def test_reservation_outcome_with_event_operations(reasons: list[str], outcome: Outcome) -> None:
    assert reservation_outcome(reasons, 1, extra=2) is outcome
