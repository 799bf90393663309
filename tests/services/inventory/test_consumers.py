"""Inventory's consumer against the emulator, fed SQS events as Lambda passes them.

The table is a service-shaped one (tests/conftest.py: outbox index, stream, TTL) rather than the
inventory table of terraform/environments/local, which does not carry the outbox yet.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from devtools.devstack.sqs_event import failed_message_ids
from foyer.dynamodb import Table
from foyer.events import Consumer, Envelope, new_event
from services.inventory import consumers
from services.inventory.consumers import build_consumer
from services.inventory.domain import ReservationIn
from services.inventory.store import InventoryStore

pytestmark = pytest.mark.integration

Batch = Callable[..., dict[str, Any]]


@pytest.fixture
def store(service_table: Table) -> InventoryStore:
    return InventoryStore(service_table)


@pytest.fixture
def consumer(store: InventoryStore) -> Consumer:
    return build_consumer(store)


@pytest.fixture
def skus(store: InventoryStore) -> dict[str, str]:
    """Two skus in stock (coffee 5, tea 1), by role."""
    made = {}
    for role, available in (("coffee", 5), ("tea", 1)):
        made[role] = f"{role.upper()}-{uuid.uuid4().hex[:8].upper()}"
        store.set_available(made[role], available)
    return made


def placed(lines: dict[str, int], order_id: str | None = None) -> Envelope:
    """An `OrderPlaced` as orders writes it (services/orders/domain.py: placed_event)."""
    return new_event(
        "OrderPlaced",
        {
            "order_id": order_id or uuid.uuid4().hex,
            "customer_id": "cust-1",
            "channel": "partner",
            "partner_id": "acme",
            "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines.items()],
            "total": {"amount": 4200, "currency": "EUR"},
        },
        source="foyer.orders",
        correlation_id="corr-placed",
    )


def cancelled(order_id: str) -> Envelope:
    data = {"order_id": order_id, "reason": "payment_declined", "lines": []}
    return new_event("OrderCancelled", data, source="foyer.orders")


def confirmed(order_id: str) -> Envelope:
    return new_event(
        "OrderConfirmed",
        {"order_id": order_id, "total": {"amount": 4200, "currency": "EUR"}},
        source="foyer.orders",
    )


def failures(event: dict[str, Any], response: Any) -> list[int]:
    """The positions of the records Lambda would leave on the queue (by the local runtime's rules)."""
    ids = [record["messageId"] for record in event["Records"]]
    return sorted(ids.index(message_id) for message_id in failed_message_ids(response, set(ids)))


def emitted(store: InventoryStore) -> list[Envelope]:
    events, _ = store.outbox.pending(limit=100)
    return events


def counts(store: InventoryStore, sku: str) -> tuple[int, int]:
    stock = store.get_stock(sku)
    assert stock is not None
    return stock.available, stock.reserved


def test_an_order_placed_is_reserved_and_announced_with_what_payments_needs(
    consumer: Consumer, store: InventoryStore, skus: dict[str, str], sqs_batch: Batch
) -> None:
    event = placed({skus["coffee"]: 2, skus["tea"]: 1})
    order_id = event.data["order_id"]
    assert consumer.handle(sqs_batch(event)) == {"batchItemFailures": []}

    reservation = store.get_reservation(order_id)
    assert reservation is not None
    assert reservation.status == "reserved"
    assert counts(store, skus["coffee"]) == (3, 2)
    assert counts(store, skus["tea"]) == (0, 1)
    (reserved,) = emitted(store)
    assert (reserved.type, reserved.version, reserved.source) == ("StockReserved", 1, "foyer.inventory")
    assert reserved.correlation_id == "corr-placed"
    assert reserved.data == {
        "order_id": order_id,
        "lines": event.data["lines"],
        "total": {"amount": 4200, "currency": "EUR"},
        "customer_id": "cust-1",
        "channel": "partner",
        "partner_id": "acme",
    }
    assert store.processed.already_processed(event.id)


def test_the_orders_payment_method_is_passed_on_to_payments(
    consumer: Consumer, store: InventoryStore, skus: dict[str, str], sqs_batch: Batch
) -> None:
    event = placed({skus["coffee"]: 1})
    with_token = new_event(
        "OrderPlaced", {**event.data, "payment_source": "tok_decline"}, source="foyer.orders"
    )
    assert consumer.handle(sqs_batch(with_token)) == {"batchItemFailures": []}
    (reserved,) = emitted(store)
    assert reserved.data["payment_source"] == "tok_decline"


def test_a_redelivered_order_placed_reserves_and_announces_once(
    consumer: Consumer, store: InventoryStore, skus: dict[str, str], sqs_batch: Batch
) -> None:
    event = placed({skus["coffee"]: 2})
    # Twice in one batch, then again in a later one (SQS redelivers after a lost delete).
    assert consumer.handle(sqs_batch(event, event)) == {"batchItemFailures": []}
    assert consumer.handle(sqs_batch(event)) == {"batchItemFailures": []}
    assert counts(store, skus["coffee"]) == (3, 2)
    assert [e.type for e in emitted(store)] == ["StockReserved"]


def test_a_shortage_holds_nothing_and_announces_the_shortfall_once(
    consumer: Consumer, store: InventoryStore, skus: dict[str, str], sqs_batch: Batch
) -> None:
    event = placed({skus["coffee"]: 2, skus["tea"]: 3})
    assert consumer.handle(sqs_batch(event, event)) == {"batchItemFailures": []}
    # Stock replenished before a redelivery: the event was answered, it does not reserve now.
    store.set_available(skus["tea"], 10)
    assert consumer.handle(sqs_batch(event)) == {"batchItemFailures": []}

    assert store.get_reservation(event.data["order_id"]) is None
    assert counts(store, skus["coffee"]) == (5, 0)
    (shortage,) = emitted(store)  # and no StockReserved: the refused transaction wrote nothing
    assert shortage.type == "StockShortage"
    assert shortage.data == {
        "order_id": event.data["order_id"],
        "shortfalls": [{"sku": skus["tea"], "requested": 3, "available": 1}],
        "unknown_skus": [],
    }


def test_unknown_skus_are_a_shortage(
    consumer: Consumer, store: InventoryStore, skus: dict[str, str], sqs_batch: Batch
) -> None:
    event = placed({skus["coffee"]: 1, "NO-SUCH-SKU": 1})
    assert consumer.handle(sqs_batch(event)) == {"batchItemFailures": []}
    (shortage,) = emitted(store)
    assert shortage.data["unknown_skus"] == ["NO-SUCH-SKU"]
    assert counts(store, skus["coffee"]) == (5, 0)


def test_an_order_already_holding_its_stock_is_announced_without_holding_more(
    consumer: Consumer, store: InventoryStore, skus: dict[str, str], sqs_batch: Batch
) -> None:
    # Held over the HTTP API first (or by an earlier OrderPlaced of the same order, re-emitted).
    event = placed({skus["coffee"]: 2})
    request = ReservationIn.model_validate({"order_id": event.data["order_id"], "lines": event.data["lines"]})
    store.reserve(request, now=event.time)
    assert consumer.handle(sqs_batch(event, event)) == {"batchItemFailures": []}
    assert counts(store, skus["coffee"]) == (3, 2)
    assert [e.type for e in emitted(store)] == ["StockReserved"]


def test_an_order_holding_other_lines_fails_and_announces_nothing(
    consumer: Consumer, store: InventoryStore, skus: dict[str, str], sqs_batch: Batch
) -> None:
    event = placed({skus["coffee"]: 2})
    other = ReservationIn.model_validate(
        {"order_id": event.data["order_id"], "lines": [{"sku": skus["coffee"], "quantity": 1}]}
    )
    store.reserve(other, now=event.time)
    batch = sqs_batch(event)
    assert failures(batch, consumer.handle(batch)) == [0]
    assert counts(store, skus["coffee"]) == (4, 1)
    assert emitted(store) == []
    assert not store.processed.already_processed(event.id)


def test_a_cancelled_order_gets_its_stock_back_once(
    consumer: Consumer, store: InventoryStore, skus: dict[str, str], sqs_batch: Batch
) -> None:
    order = placed({skus["coffee"]: 2, skus["tea"]: 1})
    consumer.handle(sqs_batch(order))
    cancel = cancelled(order.data["order_id"])
    assert consumer.handle(sqs_batch(cancel, cancel)) == {"batchItemFailures": []}
    assert consumer.handle(sqs_batch(cancel)) == {"batchItemFailures": []}

    assert counts(store, skus["coffee"]) == (5, 0)
    assert counts(store, skus["tea"]) == (1, 0)
    reservation = store.get_reservation(order.data["order_id"])
    assert reservation is not None
    assert reservation.status == "released"
    assert store.processed.already_processed(cancel.id)
    # A late redelivery of the OrderPlaced holds nothing again.
    assert consumer.handle(sqs_batch(order)) == {"batchItemFailures": []}
    assert counts(store, skus["coffee"]) == (5, 0)


def test_a_confirmed_order_commits_its_stock_once(
    consumer: Consumer, store: InventoryStore, skus: dict[str, str], sqs_batch: Batch
) -> None:
    order = placed({skus["coffee"]: 2, skus["tea"]: 1})
    consumer.handle(sqs_batch(order))
    confirm = confirmed(order.data["order_id"])
    # Twice in one batch, then redelivered: the units leave the shelf once.
    assert consumer.handle(sqs_batch(confirm, confirm)) == {"batchItemFailures": []}
    assert consumer.handle(sqs_batch(confirm)) == {"batchItemFailures": []}

    assert counts(store, skus["coffee"]) == (3, 0)
    assert counts(store, skus["tea"]) == (0, 0)
    reservation = store.get_reservation(order.data["order_id"])
    assert reservation is not None
    assert reservation.status == "committed"
    assert store.processed.already_processed(confirm.id)
    # Another OrderConfirmed of the same order (a new event id) takes nothing more.
    assert consumer.handle(sqs_batch(confirmed(order.data["order_id"]))) == {"batchItemFailures": []}
    assert counts(store, skus["coffee"]) == (3, 0)


def test_a_cancellation_after_a_confirmation_gives_nothing_back(
    consumer: Consumer, store: InventoryStore, skus: dict[str, str], sqs_batch: Batch
) -> None:
    order = placed({skus["coffee"]: 2})
    consumer.handle(sqs_batch(order, confirmed(order.data["order_id"])))
    cancel = cancelled(order.data["order_id"])
    # Refused once and recorded: it does not come back from the queue forever.
    assert consumer.handle(sqs_batch(cancel)) == {"batchItemFailures": []}
    assert counts(store, skus["coffee"]) == (3, 0)
    assert store.processed.already_processed(cancel.id)
    reservation = store.get_reservation(order.data["order_id"])
    assert reservation is not None
    assert reservation.status == "committed"


def test_a_confirmation_without_a_reservation_fails_and_stays_on_the_queue(
    consumer: Consumer, store: InventoryStore, skus: dict[str, str], sqs_batch: Batch
) -> None:
    batch = sqs_batch(confirmed(uuid.uuid4().hex))
    assert failures(batch, consumer.handle(batch)) == [0]
    assert counts(store, skus["coffee"]) == (5, 0)


def test_a_confirmation_of_a_released_reservation_fails_and_takes_nothing(
    consumer: Consumer, store: InventoryStore, skus: dict[str, str], sqs_batch: Batch
) -> None:
    order = placed({skus["coffee"]: 2})
    consumer.handle(sqs_batch(order, cancelled(order.data["order_id"])))
    batch = sqs_batch(confirmed(order.data["order_id"]))
    assert failures(batch, consumer.handle(batch)) == [0]
    assert counts(store, skus["coffee"]) == (5, 0)


def test_an_order_placed_after_its_cancellation_holds_nothing_and_says_nothing(
    consumer: Consumer, store: InventoryStore, skus: dict[str, str], sqs_batch: Batch
) -> None:
    first = placed({skus["coffee"]: 2})
    consumer.handle(sqs_batch(first, cancelled(first.data["order_id"])))
    again = placed({skus["coffee"]: 2}, order_id=first.data["order_id"])  # re-emitted, a new event id
    assert consumer.handle(sqs_batch(again)) == {"batchItemFailures": []}
    assert counts(store, skus["coffee"]) == (5, 0)
    assert [e.type for e in emitted(store)] == ["StockReserved"]  # the first one's only
    assert store.processed.already_processed(again.id)


def test_an_expired_order_whose_cancellation_overtook_its_placement_never_holds_stock(
    consumer: Consumer, store: InventoryStore, skus: dict[str, str], sqs_batch: Batch
) -> None:
    """The reconciler may expire an order whose OrderPlaced is only late, and its OrderCancelled may
    arrive first (two events, no order between them). The cancellation bars the order, so the late
    OrderPlaced holds nothing and says nothing."""
    late = placed({skus["coffee"]: 2})
    assert consumer.handle(sqs_batch(cancelled(late.data["order_id"]))) == {"batchItemFailures": []}
    assert consumer.handle(sqs_batch(late)) == {"batchItemFailures": []}
    assert counts(store, skus["coffee"]) == (5, 0)
    assert emitted(store) == []
    assert store.processed.already_processed(late.id)


def test_cancelling_an_order_that_holds_nothing_succeeds_without_effect(
    consumer: Consumer, store: InventoryStore, skus: dict[str, str], sqs_batch: Batch
) -> None:
    # An order cancelled as out_of_stock never held anything.
    assert consumer.handle(sqs_batch(cancelled(uuid.uuid4().hex))) == {"batchItemFailures": []}
    assert counts(store, skus["coffee"]) == (5, 0)
    assert emitted(store) == []


def test_a_poison_record_fails_alone_and_its_neighbours_take_effect(
    consumer: Consumer, store: InventoryStore, skus: dict[str, str], sqs_batch: Batch
) -> None:
    good, later = placed({skus["coffee"]: 1}), placed({skus["coffee"]: 1})
    unknown_version = new_event("OrderPlaced", dict(good.data), source="foyer.orders", version=2)
    no_lines = new_event("OrderPlaced", {**good.data, "lines": []}, source="foyer.orders")
    batch = sqs_batch(good, "{not json", unknown_version, no_lines, later)
    assert failures(batch, consumer.handle(batch)) == [1, 2, 3]
    assert counts(store, skus["coffee"]) == (3, 2)
    assert [e.data["order_id"] for e in emitted(store)] == [good.data["order_id"], later.data["order_id"]]


def test_the_lambda_consumer_reads_its_table_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, store: InventoryStore, skus: dict[str, str], sqs_batch: Batch
) -> None:
    monkeypatch.setenv("TABLE_NAME", store.table.name)
    consumer = consumers.consumer_from_settings()
    assert consumer.handle(sqs_batch(placed({skus["tea"]: 1}))) == {"batchItemFailures": []}
    assert counts(store, skus["tea"]) == (0, 1)


def test_fields_inventory_does_not_use_are_ignored(
    consumer: Consumer, store: InventoryStore, skus: dict[str, str], sqs_batch: Batch
) -> None:
    # A tolerant reader: orders may add fields to OrderPlaced v1 (here to its lines) without a new version.
    event = placed({skus["coffee"]: 2})
    data = {**event.data, "lines": [{**line, "name": "Coffee"} for line in event.data["lines"]], "note": "x"}
    richer = new_event("OrderPlaced", data, source="foyer.orders")
    assert consumer.handle(sqs_batch(richer)) == {"batchItemFailures": []}
    assert counts(store, skus["coffee"]) == (3, 2)
    (reserved,) = emitted(store)
    assert reserved.data["lines"] == [{"sku": skus["coffee"], "quantity": 2}]
