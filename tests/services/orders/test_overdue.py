"""The reconciler's rules (services/orders/overdue.py): which open order is resent, which expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.orders.domain import CancelReason, CatalogEntry, Money, Order, OrderIn, Status, place
from services.orders.overdue import Deadlines, Remedy, expired, remedy, resent

PLACED = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
DEADLINES = Deadlines(resend_after=timedelta(minutes=2), expire_after=timedelta(minutes=30))
CATALOG = {"TEA-1": CatalogEntry(sku="TEA-1", name="Tea", price=Money(amount=650, currency="EUR"))}


def pending() -> Order:
    request = OrderIn.model_validate(
        {
            "customer_id": "c1",
            "contact_email": "ada@example.com",
            "lines": [{"sku": "TEA-1", "quantity": 1}],
            "channel": "web",
        }
    )
    return place("o1", request, CATALOG, PLACED)


def reserved() -> Order:
    moved = pending().move(Status.RESERVED, PLACED + timedelta(seconds=1))
    assert moved is not None
    return moved


def test_a_fresh_order_is_left_alone() -> None:
    assert remedy(pending(), PLACED + timedelta(seconds=119), DEADLINES) is None


def test_a_pending_order_past_the_resend_deadline_has_its_event_resent() -> None:
    assert remedy(pending(), PLACED + timedelta(minutes=2), DEADLINES) is Remedy.RESEND


def test_a_resend_waits_a_full_deadline_before_the_next() -> None:
    once = resent(pending(), PLACED + timedelta(minutes=2))
    assert (once.status, once.version) == (Status.PENDING, 2)
    assert remedy(once, PLACED + timedelta(minutes=3), DEADLINES) is None
    assert remedy(once, PLACED + timedelta(minutes=4), DEADLINES) is Remedy.RESEND


def test_a_reserved_order_is_not_resent_but_expires() -> None:
    assert remedy(reserved(), PLACED + timedelta(minutes=29), DEADLINES) is None
    assert remedy(reserved(), PLACED + timedelta(minutes=30), DEADLINES) is Remedy.EXPIRE


def test_expiry_counts_from_placement_whatever_the_resends() -> None:
    touched = resent(pending(), PLACED + timedelta(minutes=29, seconds=59))
    assert remedy(touched, PLACED + timedelta(minutes=30), DEADLINES) is Remedy.EXPIRE


def test_an_ended_order_is_never_overdue() -> None:
    confirmed = reserved().move(Status.CONFIRMED, PLACED + timedelta(seconds=2))
    assert confirmed is not None
    assert remedy(confirmed, PLACED + timedelta(days=1), DEADLINES) is None


def test_an_expired_order_is_cancelled_with_its_reason_in_history() -> None:
    order = expired(reserved(), PLACED + timedelta(minutes=30))
    assert (order.status, order.cancel_reason, order.version) == (Status.CANCELLED, CancelReason.EXPIRED, 3)
    assert [step.status for step in order.history] == [Status.PENDING, Status.RESERVED, Status.CANCELLED]


def test_deadlines_resend_before_they_expire() -> None:
    with pytest.raises(ValueError, match="resend_after < expire_after"):
        Deadlines(resend_after=timedelta(minutes=5), expire_after=timedelta(minutes=5))


def test_what_to_look_up_per_status() -> None:
    now = PLACED + timedelta(hours=1)
    assert DEADLINES.placed_before(Status.PENDING, now) == now - timedelta(minutes=2)
    assert DEADLINES.placed_before(Status.RESERVED, now) == now - timedelta(minutes=30)
