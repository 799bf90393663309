"""Orders' reconciler against the emulator: orders left open are found through the `open` index and
resent or expired, each with its event in the outbox; ended and fresh orders are not touched."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from foyer.dynamodb import Table
from foyer.events import Envelope, envelope_of, new_event
from services.orders.domain import CatalogEntry, Money, Order, OrderIn, Status, place, placed_event
from services.orders.overdue import Deadlines
from services.orders.reconciler import STUCK_METRIC, Reconciler
from services.orders.store import OrdersStore

pytestmark = pytest.mark.integration

DEADLINES = Deadlines(resend_after=timedelta(minutes=2), expire_after=timedelta(minutes=30))
CATALOG = {"TEA-1": CatalogEntry(sku="TEA-1", name="Tea", price=Money(amount=650, currency="EUR"))}


@pytest.fixture
def store(orders_table: str) -> OrdersStore:
    return OrdersStore(Table(orders_table))


def placed_at(store: OrdersStore, at: datetime) -> Order:
    request = OrderIn.model_validate(
        {
            "customer_id": f"cust-{uuid.uuid4().hex[:8]}",
            "contact_email": "ada@example.com",
            "lines": [{"sku": "TEA-1", "quantity": 3}],
            "channel": "web",
        }
    )
    order = place(uuid.uuid4().hex, request, CATALOG, at)
    store.create(order, envelope_of(placed_event(order), now=at))
    return order


def moved(store: OrdersStore, order: Order, to: Status, at: datetime) -> Order:
    """The order moved by a saga event (as the consumer moves it)."""
    after = order.move(to, at)
    assert after is not None
    cause = new_event("StockReserved", {"order_id": order.order_id}, source="foyer.inventory", now=at)
    store.move(after, cause=cause, announce=None, now=at)
    return after


def events_of(store: OrdersStore, order: Order) -> list[Envelope]:
    events, _ = store.outbox.pending(limit=1000)
    return [event for event in events if event.data["order_id"] == order.order_id]


def current(store: OrdersStore, order: Order) -> Order:
    found = store.get(order.order_id)
    assert found is not None
    return found


def test_stuck_orders_are_resent_or_expired_and_the_rest_left_alone(
    store: OrdersStore, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    now = datetime.now(UTC) + timedelta(days=1)  # later than every order the module placed
    lost = placed_at(store, now - timedelta(minutes=5))  # OrderPlaced lost: resend it
    abandoned = placed_at(store, now - timedelta(hours=1))  # never reserved: expire
    hour_ago, two_hours_ago = now - timedelta(hours=1), now - timedelta(hours=2)
    unpaid = moved(store, placed_at(store, hour_ago), Status.RESERVED, hour_ago)  # payment lost: expire
    fresh = placed_at(store, now - timedelta(seconds=30))
    done = moved(store, placed_at(store, two_hours_ago), Status.CANCELLED, two_hours_ago)

    report = Reconciler(store, DEADLINES, clock=lambda: now).run()

    assert (report.stuck, report.resent, report.expired) == (3, 1, 2)
    assert current(store, lost).status is Status.PENDING
    assert [e.type for e in events_of(store, lost)] == ["OrderPlaced", "OrderPlaced"]
    first, again = events_of(store, lost)
    assert again.id != first.id
    assert again.data == first.data  # the same order asked for again
    for order in (abandoned, unpaid):
        after = current(store, order)
        assert (after.status, after.cancel_reason) == (Status.CANCELLED, "expired")
        cancelled = events_of(store, order)[-1]
        assert (cancelled.type, cancelled.data["reason"]) == ("OrderCancelled", "expired")
        # The lines go with it, for inventory to release what it holds.
        assert [(line["sku"], line["quantity"]) for line in cancelled.data["lines"]] == [("TEA-1", 3)]
    assert current(store, fresh) == fresh
    assert current(store, done) == done
    said = {(record.getMessage(), getattr(record, "order_id", None)) for record in caplog.records}
    assert {("overdue order resent", lost.order_id), ("overdue order expired", unpaid.order_id)} <= said
    metric = [json.loads(line) for line in capsys.readouterr().out.splitlines() if STUCK_METRIC in line]
    assert [point[STUCK_METRIC] for point in metric] == [3]


def test_a_second_run_finds_nothing_left_to_do(store: OrdersStore) -> None:
    now = datetime.now(UTC) + timedelta(days=2)
    order = placed_at(store, now - timedelta(hours=1))
    reconciler = Reconciler(store, DEADLINES, clock=lambda: now)
    reconciler.run()
    assert current(store, order).status is Status.CANCELLED
    assert reconciler.run().stuck == 0


def test_an_order_moved_between_the_read_and_the_write_is_left_to_the_next_run(store: OrdersStore) -> None:
    now = datetime.now(UTC) + timedelta(days=3)
    order = placed_at(store, now - timedelta(hours=1))

    class MovedMeanwhile(OrdersStore):
        def open_orders(self, status: Status, placed_before: datetime):  # type: ignore[no-untyped-def]
            for found in super().open_orders(status, placed_before):
                if found.order_id == order.order_id:
                    moved(store, found, Status.CANCELLED, now)  # the consumer's move wins
                yield found

    report = Reconciler(MovedMeanwhile(store.table), DEADLINES, clock=lambda: now).run()
    assert (report.moved_meanwhile, report.expired) == (1, 0)
    assert current(store, order).status is Status.CANCELLED
    assert [e.type for e in events_of(store, order)] == ["OrderPlaced"]  # no OrderCancelled of ours
