"""Orders' consumer against the emulator, fed SQS events as Lambda passes them: the saga's events move
the order, once, in order, and announce its end in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from devtools.devstack.sqs_event import failed_message_ids
from foyer.dynamodb import Table
from foyer.events import AlreadyProcessed, Consumer, Envelope, envelope_of, new_event
from services.orders import consumers
from services.orders.consumers import build_consumer
from services.orders.domain import (
    CancelReason,
    CatalogEntry,
    Money,
    Order,
    OrderIn,
    Status,
    place,
    placed_event,
)
from services.orders.store import OrderChanged, OrdersStore

pytestmark = pytest.mark.integration

Batch = Callable[..., dict[str, Any]]
OK: dict[str, list[Any]] = {"batchItemFailures": []}
CATALOG = {
    "COFFEE-1": CatalogEntry(sku="COFFEE-1", name="Coffee", price=Money(amount=1890, currency="EUR")),
    "TEA-1": CatalogEntry(sku="TEA-1", name="Tea", price=Money(amount=650, currency="EUR")),
}


@pytest.fixture
def store(orders_table: str) -> OrdersStore:
    return OrdersStore(Table(orders_table))


@pytest.fixture
def consumer(store: OrdersStore) -> Consumer:
    return build_consumer(store)


@pytest.fixture
def order(store: OrdersStore) -> Order:
    """A PENDING order, stored with its OrderPlaced as the API stores it."""
    request = OrderIn.model_validate(
        {
            "customer_id": f"cust-{uuid.uuid4().hex[:8]}",
            "contact_email": "ada@example.com",
            "lines": [{"sku": "COFFEE-1", "quantity": 2}, {"sku": "TEA-1", "quantity": 1}],
            "channel": "web",
        }
    )
    placed = place(uuid.uuid4().hex, request, CATALOG, datetime.now(UTC))
    store.create(placed, envelope_of(placed_event(placed)))
    return placed


def saga_event(type_: str, order: Order, source: str = "foyer.payments") -> Envelope:
    return new_event(type_, {"order_id": order.order_id}, source=source, correlation_id=f"corr-{type_}")


def reserved(order: Order) -> Envelope:
    return saga_event("StockReserved", order, source="foyer.inventory")


def failures(event: dict[str, Any], response: Any) -> list[int]:
    """The positions of the records Lambda would leave on the queue (by the local runtime's rules)."""
    ids = [record["messageId"] for record in event["Records"]]
    return sorted(ids.index(message_id) for message_id in failed_message_ids(response, set(ids)))


def announced(store: OrdersStore, order: Order) -> list[Envelope]:
    """What orders announced of `order` after placing it."""
    events, _ = store.outbox.pending(limit=100)
    return [e for e in events if e.data["order_id"] == order.order_id and e.type != "OrderPlaced"]


def current(store: OrdersStore, order: Order) -> Order:
    found = store.get(order.order_id)
    assert found is not None
    return found


def test_reserved_then_authorized_confirms_and_announces_the_confirmation(
    consumer: Consumer, store: OrdersStore, order: Order, sqs_batch: Batch
) -> None:
    assert consumer.handle(sqs_batch(reserved(order))) == OK
    assert current(store, order).status is Status.RESERVED
    assert announced(store, order) == []  # StockReserved is already on the bus

    authorized = saga_event("PaymentAuthorized", order)
    assert consumer.handle(sqs_batch(authorized)) == OK
    confirmed = current(store, order)
    assert confirmed.status is Status.CONFIRMED
    assert [step.status for step in confirmed.history] == [Status.PENDING, Status.RESERVED, Status.CONFIRMED]
    assert confirmed.version == 3
    (event,) = announced(store, order)
    assert (event.type, event.source, event.correlation_id) == (
        "OrderConfirmed",
        "foyer.orders",
        "corr-PaymentAuthorized",
    )
    assert event.data["contact_email"] == "ada@example.com"
    assert event.data["total"] == {"amount": 2 * 1890 + 650, "currency": "EUR"}
    assert store.processed.already_processed(authorized.id)


@pytest.mark.parametrize(
    ("types", "reason"),
    [
        (["StockShortage"], "out_of_stock"),
        (["StockReserved", "PaymentDeclined"], "payment_declined"),
        (["StockReserved", "PaymentFailed"], "payment_failed"),
    ],
)
def test_a_failed_step_cancels_with_its_reason_and_the_lines_to_release(
    consumer: Consumer, store: OrdersStore, order: Order, sqs_batch: Batch, types: list[str], reason: str
) -> None:
    assert consumer.handle(sqs_batch(*(saga_event(t, order) for t in types))) == OK
    cancelled = current(store, order)
    assert (cancelled.status, cancelled.cancel_reason) == (Status.CANCELLED, reason)
    (event,) = announced(store, order)
    assert event.type == "OrderCancelled"
    assert event.data["reason"] == reason
    lines = [(line["sku"], line["quantity"]) for line in event.data["lines"]]
    assert lines == [("COFFEE-1", 2), ("TEA-1", 1)]


def test_a_redelivered_event_moves_and_announces_once(
    consumer: Consumer, store: OrdersStore, order: Order, sqs_batch: Batch
) -> None:
    authorized = saga_event("PaymentAuthorized", order)
    assert consumer.handle(sqs_batch(reserved(order), authorized, authorized)) == OK
    assert consumer.handle(sqs_batch(authorized)) == OK
    confirmed = current(store, order)
    assert [step.status for step in confirmed.history].count(Status.CONFIRMED) == 1
    assert [e.type for e in announced(store, order)] == ["OrderConfirmed"]


def test_a_payment_result_before_the_reservation_is_deferred_never_applied(
    consumer: Consumer, store: OrdersStore, order: Order, sqs_batch: Batch
) -> None:
    # Payments answered StockReserved before orders applied it (two queues, no order between them).
    authorized = saga_event("PaymentAuthorized", order)
    batch = sqs_batch(authorized)
    assert failures(batch, consumer.handle(batch)) == [0]
    assert current(store, order).status is Status.PENDING
    assert announced(store, order) == []
    assert not store.processed.already_processed(authorized.id)
    # The reservation lands, then SQS redelivers the payment result: the order completes.
    assert consumer.handle(sqs_batch(reserved(order))) == OK
    assert consumer.handle(sqs_batch(authorized)) == OK
    assert current(store, order).status is Status.CONFIRMED


def test_a_declined_payment_before_the_reservation_is_deferred_too(
    consumer: Consumer, store: OrdersStore, order: Order, sqs_batch: Batch
) -> None:
    batch = sqs_batch(saga_event("PaymentDeclined", order))
    assert failures(batch, consumer.handle(batch)) == [0]
    assert current(store, order).status is Status.PENDING


def test_a_late_event_succeeds_without_effect(
    consumer: Consumer, store: OrdersStore, order: Order, sqs_batch: Batch
) -> None:
    consumer.handle(sqs_batch(reserved(order), saga_event("PaymentAuthorized", order)))
    late = [saga_event("PaymentFailed", order), saga_event("StockShortage", order), reserved(order)]
    assert consumer.handle(sqs_batch(*late)) == OK
    assert current(store, order).status is Status.CONFIRMED
    assert [e.type for e in announced(store, order)] == ["OrderConfirmed"]


def test_an_unknown_order_fails_its_record_alone(
    consumer: Consumer, store: OrdersStore, order: Order, sqs_batch: Batch
) -> None:
    lost = new_event("StockReserved", {"order_id": "no-such-order"}, source="foyer.inventory")
    batch = sqs_batch(lost, reserved(order))
    assert failures(batch, consumer.handle(batch)) == [0]
    assert current(store, order).status is Status.RESERVED


def test_a_poison_record_fails_alone(
    consumer: Consumer, store: OrdersStore, order: Order, sqs_batch: Batch
) -> None:
    no_order = new_event("StockReserved", {"order": order.order_id}, source="foyer.inventory")
    bad_id = new_event("StockReserved", {"order_id": "a/b"}, source="foyer.inventory")
    batch = sqs_batch("[]", no_order, bad_id, reserved(order))
    assert failures(batch, consumer.handle(batch)) == [0, 1, 2]
    assert current(store, order).status is Status.RESERVED


def test_a_move_from_a_stale_read_writes_nothing(store: OrdersStore, order: Order) -> None:
    now = datetime.now(UTC)
    moved = order.move(Status.RESERVED, now)
    assert moved is not None
    store.move(moved, cause=reserved(order), announce=None, now=now)
    # Another event read the order at the same version and moved it otherwise: refused, all of it.
    stale = order.move(Status.CANCELLED, now)
    assert stale is not None
    shortage = saga_event("StockShortage", order)
    with pytest.raises(OrderChanged):
        store.move(stale, cause=shortage, announce=saga_event("OrderCancelled", order), now=now)
    assert current(store, order).status is Status.RESERVED
    assert announced(store, order) == []
    assert not store.processed.already_processed(shortage.id)


def test_a_move_for_an_event_processed_before_is_refused(store: OrdersStore, order: Order) -> None:
    now = datetime.now(UTC)
    event = reserved(order)
    moved = order.move(Status.RESERVED, now)
    assert moved is not None
    store.move(moved, cause=event, announce=None, now=now)
    again = moved.move(Status.CANCELLED, now)
    assert again is not None
    with pytest.raises(AlreadyProcessed):
        store.move(again, cause=event, announce=None, now=now)
    assert current(store, order).status is Status.RESERVED


def test_the_lambda_consumer_reads_its_table_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, store: OrdersStore, order: Order, sqs_batch: Batch
) -> None:
    monkeypatch.setenv("TABLE_NAME", store.table.name)
    assert consumers.consumer_from_settings().handle(sqs_batch(reserved(order))) == OK
    assert current(store, order).status is Status.RESERVED


def test_a_payment_authorized_for_an_expired_order_is_reported_not_applied(
    consumer: Consumer,
    store: OrdersStore,
    order: Order,
    sqs_batch: Batch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The reconciler expired the order while its charge was in flight: the money is taken.
    assert consumer.handle(sqs_batch(reserved(order))) == OK
    now = datetime.now(UTC)
    after = current(store, order).move(Status.CANCELLED, now, CancelReason.EXPIRED)
    assert after is not None
    store.move(after, cause=None, announce=None, now=now)
    assert consumer.handle(sqs_batch(saga_event("PaymentAuthorized", order))) == OK
    assert current(store, order).status is Status.CANCELLED
    assert "payment authorized for a cancelled order: payments refunds it" in caplog.text
    assert consumers.CHARGED_CANCELLED_METRIC in capsys.readouterr().out
