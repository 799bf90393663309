"""The saga through a dev stack with two faults on: its SQS pollers hand every batch to its consumer
twice, shuffled (`FOYER_SQS_DELIVERY=twice-shuffled`), and its outbox relay "crashes" between a
publish and the removal half the time (`FOYER_RELAY_FAULT=crash-after-publish`), so events go out
again with the same ids. The end state is a well-behaved stack's: every order CONFIRMED, one charge
at the sandbox, one e-mail, each event once on the timeline. A stack of its own, started after the
shared one has stopped (tests/e2e/conftest.py runs the Ctrl-C test before this module)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from e2e.devstack import OFFSET, RunningStack, start
from e2e.orders import place, sent, settled, settled_stock, stocked_sku, timeline_types
from foyer.devstack.consumers import DELIVERY_VARIABLE, TWICE_SHUFFLED
from foyer.devstack.payment_sandbox.__main__ import DEFAULT_PORT as SANDBOX_PORT
from foyer.devstack.payment_sandbox.config import DEFAULT_API_KEY
from foyer.devstack.relays import CRASH_AFTER_PUBLISH, FAULT_VARIABLE
from foyer.devstack.stack import ROOT

pytestmark = pytest.mark.integration
ORDERS = 6
# A payment result shuffled ahead of its StockReserved is deferred to its redelivery (the queue's
# visibility timeout, 180 s): the bound covers one.
SHUFFLED_BOUND_S = 240.0
FAULTS = {DELIVERY_VARIABLE: TWICE_SHUFFLED, FAULT_VARIABLE: CRASH_AFTER_PUBLISH}


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    state_dir = tmp_path_factory.mktemp("devstack-faulty")
    argv = ["make", "--no-print-directory", "dev", f"DEV_ARGS=--state-dir {state_dir} --port-offset {OFFSET}"]
    running = start(argv, cwd=ROOT, state_dir=state_dir, extra_env=FAULTS)
    yield running
    running.interrupt()


def test_duplicated_shuffled_deliveries_and_relay_crashes_end_as_usual(
    faulty: RunningStack,
) -> None:
    apps = faulty.description.apps
    sku = stocked_sku(apps, ORDERS + 2)
    with ThreadPoolExecutor(max_workers=ORDERS) as pool:
        ids = list(pool.map(lambda _: place(apps, sku, 1).json()["order_id"], range(ORDERS)))
        orders = list(pool.map(lambda order_id: settled(apps, order_id, SHUFFLED_BOUND_S), ids))
    assert [order["status"] for order in orders] == ["CONFIRMED"] * ORDERS
    assert all([s["status"] for s in o["history"]] == ["PENDING", "RESERVED", "CONFIRMED"] for o in orders)
    assert settled_stock(apps, sku, (2, 0)) == (2, 0)
    sandbox = f"http://127.0.0.1:{SANDBOX_PORT + OFFSET}/v1/charges"
    for order_id in ids:
        answer = httpx.get(
            sandbox,
            params={"metadata[order_id]": order_id, "limit": "100"},
            headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"},
            timeout=10,
        )
        assert [charge["status"] for charge in answer.json()["data"]] == ["succeeded"], order_id
        notices = sent(apps, order_id, 2)
        assert sorted(notice["kind"] for notice in notices) == ["email", "sns"], order_id
        assert timeline_types(apps, order_id, 4) == [
            "OrderPlaced",
            "StockReserved",
            "PaymentAuthorized",
            "OrderConfirmed",
        ]
    # The faults were on: every consumer says so when it starts, and the relay crashed on the way.
    assert any(TWICE_SHUFFLED in line for line in faulty.lines)
    assert any("published, not removed" in line for line in faulty.lines)
