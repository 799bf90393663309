"""Claims on events being notified: one live holder, a dead holder's claim taken over with its done
steps, and a holder whose claim was taken over can neither mark nor complete."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from foyer.events import new_event
from services.notifications.domain import ClaimLost, EventInFlight, Sent
from services.notifications.store import NotificationsStore

pytestmark = pytest.mark.integration
LEASE_MS = 60_000


def sent(kind: str, event_id: str) -> Sent:
    return Sent.model_validate(
        {
            "kind": kind,
            "to": "ada@example.com",
            "subject": "s",
            "sent_at": datetime.now(UTC),
            "event_id": event_id,
            "event_type": "OrderConfirmed",
            "message_id": f"{kind}-id",
        }
    )


def test_a_live_claim_refuses_a_second_one_and_says_when_to_retry(store: NotificationsStore) -> None:
    event_id = str(uuid.uuid4())
    store.claim(event_id, now_ms=1_000_000)

    with pytest.raises(EventInFlight) as refused:
        store.claim(event_id, now_ms=1_000_000 + 15_000)

    assert refused.value.retry_after_s == 45


def test_a_claim_past_its_lease_is_taken_over_with_its_done_steps(store: NotificationsStore) -> None:
    event = new_event("OrderConfirmed", {"order_id": "ord-1"}, source="foyer.orders")
    dead = store.claim(event.id, now_ms=1_000_000)
    store.record_sent(dead, "ord-1", sent("email", event.id))

    taken = store.claim(event.id, now_ms=1_000_000 + LEASE_MS)

    assert taken.done == frozenset({"email"})
    with pytest.raises(ClaimLost):
        store.record_sent(dead, "ord-1", sent("sns", event.id))
    with pytest.raises(ClaimLost):
        store.complete(dead, event)
    assert [s.kind for s in store.sent_for("ord-1").items] == ["email"]
    assert store.complete(taken, event) is True
    assert store.already_processed(event.id)


def test_completing_an_event_processed_before_says_so(store: NotificationsStore) -> None:
    event = new_event("OrderCancelled", {"order_id": "ord-2"}, source="foyer.orders")
    first = store.claim(event.id)
    assert store.complete(first, event) is True

    again = NotificationsStore(store.table, lease=timedelta(0)).claim(event.id)

    assert store.complete(again, event) is False
