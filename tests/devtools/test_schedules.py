"""The local runner of scheduled functions (devtools/devstack/schedules.py): the function Terraform
declares, its handler called with EventBridge's scheduled event, a failed run never the last."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from devtools.devstack.consumers import function_handler
from devtools.devstack.lambda_context import LambdaFunction
from devtools.devstack.schedules import run_once, scheduled_event, serve
from foyer import aws
from foyer.dynamodb import Table
from foyer.events import envelope_of
from foyer.stack_file import LocalStack

FUNCTION = LambdaFunction(
    name="foyer-local-orders-reconciler", arn="arn:aws:lambda:eu-west-1:123456789012:function:f"
)


def test_the_event_is_the_one_eventbridge_sends_a_scheduled_target() -> None:
    event = scheduled_event(
        "arn:aws:events:eu-west-1:1:rule/r", "eu-west-1", "1", datetime(2026, 1, 2, tzinfo=UTC)
    )
    assert (event["source"], event["detail-type"], event["detail"]) == ("aws.events", "Scheduled Event", {})
    assert (event["time"], event["resources"]) == (
        "2026-01-02T00:00:00Z",
        ["arn:aws:events:eu-west-1:1:rule/r"],
    )


def test_a_failed_run_is_logged_and_the_next_one_still_comes(caplog: pytest.LogCaptureFixture) -> None:
    stop = threading.Event()
    calls: list[dict[str, Any]] = []

    def flaky(event: dict[str, Any], context: Any) -> None:
        calls.append(event)
        if len(calls) == 1:
            raise RuntimeError("table unreachable")
        if len(calls) == 3:
            stop.set()

    serve(flaky, FUNCTION, 0, stop, region="eu-west-1")
    assert len(calls) == 3
    assert len({event["id"] for event in calls}) == 3  # a new event per run
    assert "scheduled run of foyer-local-orders-reconciler failed" in caplog.text


def test_run_once_says_whether_the_handler_succeeded() -> None:
    assert run_once(lambda event, context: {"stuck": 0}, FUNCTION, {}) is True
    assert run_once(lambda event, context: 1 / 0, FUNCTION, {}) is False


@pytest.fixture
def function_environment() -> Iterator[None]:
    """The function's environment is applied to this process's; put it back afterwards."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
    from services.orders.reconciler import reconciler_from_settings

    reconciler_from_settings.cache_clear()


@pytest.mark.integration
@pytest.mark.usefixtures("function_environment")
def test_the_declared_reconciler_resends_an_order_whose_event_was_lost(stack: LocalStack) -> None:
    """Terraform's schedule, the function's configuration in the emulator, the handler it names: an
    order whose OrderPlaced never left (written without its outbox item) is published again."""
    schedule = stack.schedules["orders-reconciler"]
    lambda_client = aws.client("lambda")
    configuration, handler = function_handler(schedule.function_name, lambda_client=lambda_client)
    from services.orders.domain import CatalogEntry, Money, OrderIn, place, placed_event
    from services.orders.store import OrdersStore

    store = OrdersStore(Table(stack.tables["orders"]))
    line = {"sku": "TEA-1", "quantity": 1}
    request = OrderIn.model_validate(
        {"customer_id": "c-lost", "contact_email": "a@example.com", "lines": [line], "channel": "web"}
    )
    entry = CatalogEntry(sku="TEA-1", name="Tea", price=Money(amount=650, currency="EUR"))
    order = place(uuid.uuid4().hex, request, {"TEA-1": entry}, datetime.now(UTC) - timedelta(minutes=1))
    lost = envelope_of(placed_event(order))
    store.create(order, lost)
    store.outbox.remove(lost.id)  # dropped: never published

    function = LambdaFunction.from_configuration(configuration)
    report = handler(
        scheduled_event(f"arn:aws:events:{stack.region}:1:rule/r", stack.region, "1"), function.context()
    )

    assert report["resent"] >= 1  # this order (and any other the session left open that long)
    events, _ = store.outbox.pending(limit=1000)
    (resent,) = [e for e in events if e.data["order_id"] == order.order_id]
    assert (resent.type, resent.data) == ("OrderPlaced", lost.data)
