"""Never oversell: 50 orders of one unit race for 20 units, through the store and through Lambda."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from foyer.lambda_glue import make_handler
from services.inventory.app import app
from services.inventory.domain import InsufficientStock, ReservationIn
from services.inventory.handler import handler

pytestmark = pytest.mark.integration

ORDERS = 50
STOCK = 20


def run_together(task: Any, count: int) -> list[Any]:
    """Run `task(i)` on `count` threads released at the same moment; results (or exceptions) by i."""
    barrier = threading.Barrier(count)

    def one(i: int) -> Any:
        barrier.wait()
        try:
            return task(i)
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def test_concurrent_reservations_through_the_store_never_oversell(service_stores: dict[str, Any]) -> None:
    store = service_stores["inventory"]
    sku = f"RACE-{uuid.uuid4().hex[:10].upper()}"
    store.set_available(sku, STOCK)
    run = uuid.uuid4().hex[:8]

    def reserve(i: int) -> bool:
        request = ReservationIn.model_validate(
            {"order_id": f"race-{run}-{i}", "lines": [{"sku": sku, "quantity": 1}]}
        )
        _, created = store.reserve(request, now=datetime.now(UTC))
        return created

    results = run_together(reserve, ORDERS)
    unexpected = [r for r in results if r is not True and not isinstance(r, InsufficientStock)]
    assert unexpected == []
    assert sum(r is True for r in results) == STOCK
    assert sum(isinstance(r, InsufficientStock) for r in results) == ORDERS - STOCK
    stock = store.get_stock(sku)
    assert stock is not None
    assert (stock.available, stock.reserved) == (0, STOCK)
    held = [store.get_reservation(f"race-{run}-{i}") for i in range(ORDERS)]
    assert sum(r is not None for r in held) == STOCK


def test_concurrent_reservations_through_the_lambda_handler_never_oversell(
    services_stack: Any, lambda_events: Any
) -> None:
    ev, invoke = lambda_events.rest_event, lambda_events.invoke
    sku = f"RACE-{uuid.uuid4().hex[:10].upper()}"
    assert invoke(handler, ev("PUT", f"/stock/{sku}", body={"available": STOCK})).status == 200
    run = uuid.uuid4().hex[:8]

    # Each thread is one Lambda execution environment: its own handler (Lambda imports the module
    # once per environment, and a handler serves one event at a time) over the same app.
    environments = [make_handler(app) for _ in range(ORDERS)]

    def reserve(i: int) -> tuple[int, Any]:
        body = {"order_id": f"race-{run}-{i}", "lines": [{"sku": sku, "quantity": 1}]}
        response = invoke(environments[i], ev("POST", "/reservations", body=body, stage_in_path=i % 2 == 0))
        return response.status, response.json()

    results = run_together(reserve, ORDERS)
    for environment in environments:
        environment.shutdown()
    statuses = sorted(str(r[0]) if isinstance(r, tuple) else repr(r) for r in results)
    assert statuses.count("201") == STOCK, statuses
    assert statuses.count("409") == ORDERS - STOCK, statuses
    assert all(
        body["type"].endswith("insufficient-stock") and body["lines"][0]["available"] >= 0
        for status, body in results
        if status == 409
    )
    stock = invoke(handler, ev("GET", f"/stock/{sku}")).json()
    assert (stock["available"], stock["reserved"]) == (0, STOCK)
