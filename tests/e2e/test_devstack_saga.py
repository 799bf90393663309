"""The saga's hard cases through `make dev` (the stack tests/e2e/conftest.py starts once): a declined
card, a flaky provider, a lost event healed by the reconciler, and more orders than stock."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from e2e.devstack import RunningStack, emulator_client
from e2e.orders import (
    DEADLINE_S,
    SANDBOX,
    charges,
    place,
    refunds,
    settled,
    settled_stock,
    stocked_sku,
    timeline_types,
)
from foyer.dynamodb import Table
from foyer.stack_file import LocalStack
from services.orders import domain
from services.orders.overdue import Deadlines
from services.orders.reconciler import Reconciler
from services.orders.store import OrdersStore
from services.orders.store import _item as order_item

pytestmark = pytest.mark.integration
# A charge that runs out of the client's retries waits for its message's redelivery (the queue's
# 180 s visibility timeout) before it is tried again: the bound of a flaky-provider run covers one.
FLAKY_BOUND_S = 240.0
# The local schedule's deadlines (terraform/modules/platform/main.tf: ORDER_RESEND_AFTER_S and
# ORDER_EXPIRE_AFTER_S of the reconciler's environment).
LOCAL_DEADLINES = Deadlines(resend_after=timedelta(seconds=15), expire_after=timedelta(seconds=960))


@pytest.fixture
def flaky_provider(devstack: RunningStack) -> Iterator[None]:
    """30 % of charge requests fail transiently (429, 503, 500, garbage; the 10 s hang is left out to
    bound the suite's time), then the sandbox is made well again."""
    behaviour = f"{SANDBOX}/_sandbox/behaviour"
    before = httpx.get(behaviour, timeout=5).json()
    flaky = {"error_rate": 0.3, "faults": ["429", "503", "500", "garbage"], "retry_after_s": 1}
    assert httpx.post(behaviour, json=flaky, timeout=5).status_code == 200
    yield
    restore = {k: before[k] for k in ("error_rate", "faults", "retry_after_s")}
    assert httpx.post(behaviour, json=restore, timeout=5).status_code == 200


def test_a_declined_card_cancels_the_order_and_gives_the_stock_back(devstack: RunningStack) -> None:
    apps = devstack.description.apps
    sku = stocked_sku(apps, 3)
    order_id = place(apps, sku, 2, payment_token="tok_decline").json()["order_id"]
    order = settled(apps, order_id)
    assert (order["status"], order["cancel_reason"]) == ("CANCELLED", "payment_declined")
    assert [step["status"] for step in order["history"]] == ["PENDING", "RESERVED", "CANCELLED"]
    payment = httpx.get(f"{apps['payments']}/payments/{order_id}", timeout=10).json()
    assert payment["status"] == "declined"
    assert [charge["status"] for charge in charges(order_id)] == ["failed"]
    # The OrderCancelled that ended it releases the stock: wait for inventory to apply it.
    assert settled_stock(apps, sku, (3, 0)) == (3, 0)


@pytest.mark.usefixtures("flaky_provider")
def test_with_a_flaky_provider_every_order_ends_and_each_confirmed_one_is_charged_once(
    devstack: RunningStack,
) -> None:
    apps = devstack.description.apps
    sku = stocked_sku(apps, 100)
    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(lambda _: place(apps, sku, 1).json()["order_id"], range(50)))
        orders = list(pool.map(lambda order_id: settled(apps, order_id, FLAKY_BOUND_S), ids))
    confirmed = [order["order_id"] for order in orders if order["status"] == "CONFIRMED"]
    assert len(confirmed) + sum(o["cancel_reason"] == "payment_failed" for o in orders) == 50
    for order_id in confirmed:
        assert [charge["status"] for charge in charges(order_id)] == ["succeeded"], order_id
    injected = httpx.get(f"{SANDBOX}/_sandbox/faults", timeout=5).json()["injected"]
    assert sum(injected.values()) > 0  # the provider did fail along the way


def test_an_order_whose_order_placed_was_lost_ends_once_the_reconciler_runs(devstack: RunningStack) -> None:
    """The order row without its OrderPlaced (as if the event had been dropped): the reconciler,
    run by the stack on Terraform's schedule, publishes it again and the saga completes."""
    described = devstack.description
    apps = described.apps
    sku = stocked_sku(apps, 2)
    line = {"sku": sku, "quantity": 1}
    request = domain.OrderIn.model_validate(
        {"customer_id": "e2e-lost", "contact_email": "lost@example.com", "lines": [line], "channel": "web"}
    )
    entry = domain.CatalogEntry(sku=sku, name="Flow test", price=domain.Money(amount=1250, currency="EUR"))
    order = domain.place(uuid.uuid4().hex, request, {sku: entry}, datetime.now(UTC) - timedelta(minutes=1))
    orders_table(described).put(order_item(order))

    ended = settled(apps, order.order_id)
    assert ended["status"] == "CONFIRMED"
    assert settled_stock(apps, sku, (1, 0)) == (1, 0)  # the confirmed unit is committed (sold)
    assert len(charges(order.order_id)) == 1
    reconciler = [line for line in devstack.lines if "orders-reconciler" in line and order.order_id in line]
    assert any('"remedy": "resend"' in line for line in reconciler), reconciler


def orders_table(described: LocalStack) -> Table:
    return Table(described.tables["orders"], client=emulator_client(described, "dynamodb"))


def test_a_hundred_concurrent_orders_against_thirty_units_sell_exactly_thirty(devstack: RunningStack) -> None:
    apps = devstack.description.apps
    sku = stocked_sku(apps, 30)
    with ThreadPoolExecutor(max_workers=16) as pool:
        ids = list(pool.map(lambda _: place(apps, sku, 1).json()["order_id"], range(100)))
        orders = list(pool.map(lambda order_id: settled(apps, order_id), ids))
    outcomes = sorted((order["status"], order.get("cancel_reason")) for order in orders)
    assert outcomes.count(("CONFIRMED", None)) == 30
    assert outcomes.count(("CANCELLED", "out_of_stock")) == 70
    # Nothing left to sell, and nothing held: the 30 confirmed orders' units are committed (sold).
    assert settled_stock(apps, sku, (0, 0)) == (0, 0)


def test_a_charge_in_flight_when_the_order_expires_is_refunded_once(devstack: RunningStack) -> None:
    """The provider answers slowly; while the order's charge is in flight it is made overdue (its
    placing moved back past the local expiry), the reconciler cancels it as `expired`, and payments,
    which learns of the cancellation after its charge succeeded, refunds it. The test runs the
    reconciler once itself, as its schedule would: the stack's 5 s schedule may come after the
    charge's 3 s, and the order would then be confirmed first (a fresh clone's CI run can be that slow)."""
    described = devstack.description
    apps = described.apps
    sku = stocked_sku(apps, 2)
    behaviour = f"{SANDBOX}/_sandbox/behaviour"
    before = httpx.get(behaviour, timeout=5).json()
    # Under the client's 5 s read timeout: one slow answer, not a retried one.
    assert httpx.post(behaviour, json={"latency_ms": 3000}, timeout=5).status_code == 200
    try:
        order_id = place(apps, sku, 1).json()["order_id"]
        table = orders_table(described)
        deadline = time.monotonic() + DEADLINE_S
        while (
            order := OrdersStore(table).get(order_id)
        ) is None or order.status is not domain.Status.RESERVED:
            assert time.monotonic() < deadline, f"order {order_id} never RESERVED"
            time.sleep(0.2)
        # Its charge is in flight now (StockReserved reached payments as it reached orders).
        table.put(
            order_item(order.model_copy(update={"created_at": order.created_at - timedelta(minutes=20)}))
        )
        Reconciler(OrdersStore(table), LOCAL_DEADLINES).run()  # now, inside the charge's 3 s
        expired = OrdersStore(table).get(order_id)
        assert expired is not None
        assert expired.status is domain.Status.CANCELLED
        ended = settled(apps, order_id)
        assert (ended["status"], ended["cancel_reason"]) == ("CANCELLED", "expired")
        assert wait_for_payment(apps, order_id, "refunded")
    finally:
        httpx.post(behaviour, json={"latency_ms": before["latency_ms"]}, timeout=5)
    [charge] = charges(order_id)
    assert charge["status"] == "succeeded"
    assert charge["refunded"] is True
    [refund] = refunds(order_id)
    assert refund["charge"] == charge["id"]
    assert settled_stock(apps, sku, (2, 0)) == (2, 0)  # the expiry gave the unit back
    steps = timeline_types(apps, order_id, 5)
    assert steps[-1] == "PaymentRefunded"
    assert sorted(steps) == sorted(
        ["OrderPlaced", "StockReserved", "OrderCancelled", "PaymentAuthorized", "PaymentRefunded"]
    )


def wait_for_payment(apps: dict[str, str], order_id: str, status: str) -> bool:
    """Whether payments reports the order's payment as `status` within the saga's bound."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        answer = httpx.get(f"{apps['payments']}/payments/{order_id}", timeout=10)
        if answer.status_code == 200 and answer.json()["status"] == status:
            return True
        time.sleep(0.5)
    return False
