"""Charging on StockReserved against the emulator and the sandbox: each outcome settled and announced
once, whatever the provider and the queue do."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pydantic import SecretStr

from devtools.devstack.emulator import free_port
from devtools.devstack.payment_sandbox.server import RunningSandbox
from foyer.events import Envelope, MalformedEvent, new_event
from services.payments.charging import Charger, ChargeUnsettled, RefundUnsettled
from services.payments.domain import Status
from services.payments.provider import MAX_AMOUNT, KeyRefused, PaymentProvider
from services.payments.store import PaymentsStore
from tests.services.payments.conftest import MAX_FAILURES, provider

pytestmark = pytest.mark.integration

NewEvent = Callable[..., Envelope]


def events_of(store: PaymentsStore, order_id: str) -> list[Envelope]:
    events, _ = store.outbox.pending(limit=1000)
    return [event for event in events if event.data["order_id"] == order_id]


def charges_of(sandbox: RunningSandbox, order_id: str) -> list[dict[str, Any]]:
    return sandbox.state.ledger.of_order(order_id)


def requests_of(sandbox: RunningSandbox, order_id: str) -> int:
    return sandbox.state.faults.requests.get(order_id, 0)


def deliver_until_settled(charger: Charger, event: Envelope, *, limit: int = 10) -> int:
    """Deliver `event` as SQS would until a delivery succeeds; how many deliveries it took."""
    for delivery in range(1, limit + 1):
        try:
            charger.on_stock_reserved(event)
        except ChargeUnsettled:
            continue
        return delivery
    raise AssertionError(f"not settled after {limit} deliveries")


def test_an_authorized_charge_is_stored_and_announced_once(
    charger: Charger, store: PaymentsStore, sandbox: RunningSandbox, stock_reserved: NewEvent
) -> None:
    event = stock_reserved()
    order_id = event.data["order_id"]
    charger.on_stock_reserved(event)
    [charge] = charges_of(sandbox, order_id)
    assert (charge["amount"], charge["currency"], charge["source"]) == (4430, "eur", "tok_visa")
    payment = store.get(order_id)
    assert payment is not None
    assert (payment.status, payment.charge_id, payment.reason, payment.attempts) == (
        Status.AUTHORIZED,
        charge["id"],
        None,
        1,
    )
    [announced] = events_of(store, order_id)
    assert (announced.type, announced.source, announced.correlation_id) == (
        "PaymentAuthorized",
        "foyer.payments",
        event.correlation_id,
    )
    assert announced.data == {
        "order_id": order_id,
        "amount": {"amount": 4430, "currency": "EUR"},
        "charge_id": charge["id"],
    }
    assert store.already_processed(event)


def test_a_decline_is_settled_at_once_and_never_retried(
    charger: Charger, store: PaymentsStore, sandbox: RunningSandbox, stock_reserved: NewEvent
) -> None:
    event = stock_reserved(payment_source="tok_chargeDeclinedInsufficientFunds")
    order_id = event.data["order_id"]
    charger.on_stock_reserved(event)
    [declined] = charges_of(sandbox, order_id)
    assert declined["status"] == "failed"
    assert requests_of(sandbox, order_id) == 1
    payment = store.get(order_id)
    assert payment is not None
    assert (payment.status, payment.reason, payment.attempts) == (Status.DECLINED, "insufficient_funds", 1)
    [announced] = events_of(store, order_id)
    assert announced.type == "PaymentDeclined"
    assert announced.data["reason"] == "insufficient_funds"
    assert announced.data["charge_id"] == declined["id"]


def test_transient_faults_across_deliveries_end_authorized_with_one_charge(
    charger: Charger, store: PaymentsStore, sandbox: RunningSandbox, stock_reserved: NewEvent
) -> None:
    event = stock_reserved()
    order_id = event.data["order_id"]
    # Delivery 1: a 503, then a 500 after the charge was made (its answer lost): Failed, retried later.
    # Delivery 2: a garbage answer, then the replay of the one charge.
    sandbox.state.faults.script(["503", "500", "garbage"])
    assert deliver_until_settled(charger, event) == 2
    [charge] = charges_of(sandbox, order_id)
    payment = store.get(order_id)
    assert payment is not None
    assert (payment.status, payment.charge_id, payment.attempts) == (Status.AUTHORIZED, charge["id"], 4)
    assert [e.type for e in events_of(store, order_id)] == ["PaymentAuthorized"]


def test_an_unanswered_charge_is_retried_by_redelivery_then_settled_as_failed(
    store: PaymentsStore, stock_reserved: NewEvent
) -> None:
    nobody = provider(f"http://127.0.0.1:{free_port()}")
    charger = Charger(store, nobody, default_source="tok_visa", max_failures=MAX_FAILURES)
    event = stock_reserved()
    order_id = event.data["order_id"]
    for delivery in range(1, MAX_FAILURES):
        with pytest.raises(ChargeUnsettled) as unsettled:
            charger.on_stock_reserved(event)
        assert unsettled.value.tries.failures == delivery
        assert (store.get(order_id), events_of(store, order_id)) == (None, [])
        assert not store.already_processed(event)
    charger.on_stock_reserved(event)  # the last allowed delivery settles: the saga ends
    payment = store.get(order_id)
    assert payment is not None
    assert (payment.status, payment.reason, payment.charge_id) == (
        Status.FAILED,
        "transport error (ConnectError)",
        None,
    )
    assert payment.attempts == 2 * MAX_FAILURES  # every delivery's provider calls
    [announced] = events_of(store, order_id)
    assert (announced.type, announced.data["reason"]) == ("PaymentFailed", "transport error (ConnectError)")
    charger.on_stock_reserved(event)  # and a redelivery after that changes nothing
    assert len(events_of(store, order_id)) == 1


def test_a_redelivered_event_charges_once_and_announces_once(
    charger: Charger, store: PaymentsStore, sandbox: RunningSandbox, stock_reserved: NewEvent
) -> None:
    event = stock_reserved()
    order_id = event.data["order_id"]
    for _ in range(3):
        charger.on_stock_reserved(event)
    assert len(charges_of(sandbox, order_id)) == 1
    assert requests_of(sandbox, order_id) == 1  # a redelivery does not even ask the provider
    assert [e.type for e in events_of(store, order_id)] == ["PaymentAuthorized"]


def test_another_event_for_a_settled_order_changes_nothing(
    charger: Charger, store: PaymentsStore, sandbox: RunningSandbox, stock_reserved: NewEvent
) -> None:
    first = stock_reserved()
    order_id = first.data["order_id"]
    charger.on_stock_reserved(first)
    second = stock_reserved(order_id=order_id)  # a re-emitted StockReserved: another event id
    charger.on_stock_reserved(second)
    assert requests_of(sandbox, order_id) == 1
    assert len(events_of(store, order_id)) == 1


def test_concurrent_deliveries_of_one_event_charge_once_and_announce_once(
    store: PaymentsStore, sandbox: RunningSandbox, stock_reserved: NewEvent
) -> None:
    event = stock_reserved()
    order_id = event.data["order_id"]
    # Four consumers with their own clients, as four Lambda environments would have.
    chargers = [
        Charger(store, provider(sandbox.url, max_attempts=20), default_source="tok_visa", max_failures=3)
        for _ in range(4)
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda c: c.on_stock_reserved(event), chargers))
    assert len(charges_of(sandbox, order_id)) == 1
    assert [e.type for e in events_of(store, order_id)] == ["PaymentAuthorized"]
    payment = store.get(order_id)
    assert payment is not None
    assert payment.status is Status.AUTHORIZED


@pytest.mark.parametrize(
    "data",
    [
        {"total": None},
        {"total": {"amount": 1.5, "currency": "EUR"}},
        {"total": {"amount": 100, "currency": "eur"}},
        {"order_id": "not/an/id"},
    ],
)
def test_an_event_without_a_chargeable_order_is_rejected_and_charges_nothing(
    charger: Charger, store: PaymentsStore, sandbox: RunningSandbox, stock_reserved: NewEvent, data: Any
) -> None:
    event = stock_reserved(**data)
    with pytest.raises(MalformedEvent):
        charger.on_stock_reserved(event)
    assert requests_of(sandbox, event.data["order_id"]) == 0
    assert not store.already_processed(event)


def test_a_request_the_provider_refuses_for_good_settles_failed_at_once(
    charger: Charger, store: PaymentsStore, sandbox: RunningSandbox, stock_reserved: NewEvent
) -> None:
    # The sandbox answers 400/404 as Stripe does; the same key would get the same answer forever.
    event = stock_reserved(payment_source="tok_nonsense")
    order_id = event.data["order_id"]

    charger.on_stock_reserved(event)

    assert requests_of(sandbox, order_id) == 1
    payment = store.get(order_id)
    assert payment is not None
    assert (payment.status, payment.reason) == (Status.FAILED, "refused:resource_missing")
    [announced] = events_of(store, order_id)
    assert (announced.type, announced.data["reason"]) == ("PaymentFailed", "refused:resource_missing")
    assert store.already_processed(event)


@pytest.mark.parametrize("amount", [0, -1, MAX_AMOUNT + 1, 10**15])
def test_a_total_the_provider_can_never_charge_settles_failed_at_once_without_a_call(
    charger: Charger, store: PaymentsStore, sandbox: RunningSandbox, stock_reserved: NewEvent, amount: int
) -> None:
    event = stock_reserved(total={"amount": amount, "currency": "EUR"})
    order_id = event.data["order_id"]

    charger.on_stock_reserved(event)

    assert requests_of(sandbox, order_id) == 0
    payment = store.get(order_id)
    assert payment is not None
    assert (payment.status, payment.reason, payment.attempts) == (Status.FAILED, "amount_out_of_range", 0)
    [announced] = events_of(store, order_id)
    assert (announced.type, announced.data["reason"]) == ("PaymentFailed", "amount_out_of_range")
    charger.on_stock_reserved(event)  # a redelivery changes nothing
    assert len(events_of(store, order_id)) == 1


def test_the_largest_total_the_provider_takes_is_charged(
    charger: Charger, store: PaymentsStore, sandbox: RunningSandbox, stock_reserved: NewEvent
) -> None:
    event = stock_reserved(total={"amount": MAX_AMOUNT, "currency": "EUR"})
    charger.on_stock_reserved(event)
    [charge] = charges_of(sandbox, event.data["order_id"])
    assert charge["amount"] == MAX_AMOUNT
    payment = store.get(event.data["order_id"])
    assert payment is not None
    assert payment.status is Status.AUTHORIZED


def test_a_refused_api_key_is_raised_and_settles_nothing(
    store: PaymentsStore, sandbox: RunningSandbox, stock_reserved: NewEvent
) -> None:
    class WrongKey:
        def value(self) -> SecretStr:
            return SecretStr("sk_test_wrong")

        def refresh(self) -> SecretStr:
            return self.value()

    refused = PaymentProvider(sandbox.url, WrongKey(), sleep=lambda _: None, max_attempts=2)
    charger = Charger(store, refused, default_source="tok_visa", max_failures=MAX_FAILURES)
    event = stock_reserved()
    with pytest.raises(KeyRefused):
        charger.on_stock_reserved(event)
    assert store.get(event.data["order_id"]) is None
    assert events_of(store, event.data["order_id"]) == []


def test_a_late_stock_reserved_never_charges_a_cancelled_order(
    charger: Charger, store: PaymentsStore, sandbox: RunningSandbox, stock_reserved: NewEvent
) -> None:
    """The reconciler expired the order while its StockReserved was still on the way: the
    cancellation comes first and bars the order, so the late event charges nothing."""
    event = stock_reserved()
    order_id = event.data["order_id"]
    cancelled = new_event(
        "OrderCancelled", {"order_id": order_id, "reason": "expired"}, source="foyer.orders"
    )
    charger.on_order_cancelled(cancelled)
    charger.on_order_cancelled(cancelled)  # redelivered: nothing more
    charger.on_stock_reserved(event)
    assert charges_of(sandbox, order_id) == []
    assert store.get(order_id) is None
    assert events_of(store, order_id) == []
    assert store.already_processed(event)


def refunds_of(sandbox: RunningSandbox, order_id: str) -> list[dict[str, Any]]:
    return sandbox.state.ledger.refunds_of(order_id=order_id)


def cancellation(order_id: str) -> Envelope:
    return new_event("OrderCancelled", {"order_id": order_id, "reason": "expired"}, source="foyer.orders")


def assert_refunded_once(store: PaymentsStore, sandbox: RunningSandbox, order_id: str) -> None:
    payment = store.get(order_id)
    assert payment is not None
    [refund] = refunds_of(sandbox, order_id)
    assert (payment.status, payment.refund_id) == (Status.REFUNDED, refund["id"])
    [charge] = charges_of(sandbox, order_id)
    assert refund["charge"] == payment.charge_id == charge["id"]
    announced = [event for event in events_of(store, order_id) if event.type == "PaymentRefunded"]
    assert [event.data for event in announced] == [
        {
            "order_id": order_id,
            "amount": payment.amount.model_dump(),
            "charge_id": charge["id"],
            "refund_id": refund["id"],
        }
    ]


def test_a_cancellation_after_the_charge_refunds_it_once(
    charger: Charger, store: PaymentsStore, sandbox: RunningSandbox, stock_reserved: NewEvent
) -> None:
    event = stock_reserved()
    order_id = event.data["order_id"]
    charger.on_stock_reserved(event)
    cancelled = cancellation(order_id)
    charger.on_order_cancelled(cancelled)
    charger.on_order_cancelled(cancelled)  # redelivered: nothing more
    charger.on_stock_reserved(event)  # nor a redelivered StockReserved
    assert_refunded_once(store, sandbox, order_id)


def test_a_cancellation_while_the_charge_is_in_flight_refunds_it_once(
    charger: Charger, store: PaymentsStore, sandbox: RunningSandbox, stock_reserved: NewEvent
) -> None:
    """The reconciler expires the order while the provider is still charging it: the cancellation
    finds no payment yet and only bars the order; the charge, once settled, sees the bar."""
    event = stock_reserved()
    order_id = event.data["order_id"]
    charge = charger.provider.charge

    def cancelled_meanwhile(*args: Any) -> Any:
        outcome = charge(*args)
        charger.on_order_cancelled(cancellation(order_id))
        return outcome

    charger.provider.charge = cancelled_meanwhile  # type: ignore[method-assign]
    charger.on_stock_reserved(event)
    assert_refunded_once(store, sandbox, order_id)
    assert [e.type for e in events_of(store, order_id)] == ["PaymentAuthorized", "PaymentRefunded"]


def test_a_refund_without_an_answer_is_asked_again_on_redelivery(
    charger: Charger, store: PaymentsStore, sandbox: RunningSandbox, stock_reserved: NewEvent
) -> None:
    event = stock_reserved()
    order_id = event.data["order_id"]
    charger.on_stock_reserved(event)
    working = charger.provider
    charger.provider = provider(f"http://127.0.0.1:{free_port()}")  # the provider is unreachable
    cancelled = cancellation(order_id)
    with pytest.raises(RefundUnsettled):
        charger.on_order_cancelled(cancelled)
    payment = store.get(order_id)
    assert payment is not None
    assert payment.status is Status.AUTHORIZED
    charger.provider = working
    charger.on_order_cancelled(cancelled)  # the redelivery
    assert_refunded_once(store, sandbox, order_id)


def test_a_declined_payment_is_not_refunded(
    charger: Charger, store: PaymentsStore, sandbox: RunningSandbox, stock_reserved: NewEvent
) -> None:
    event = stock_reserved(payment_source="tok_decline")
    order_id = event.data["order_id"]
    charger.on_stock_reserved(event)
    charger.on_order_cancelled(cancellation(order_id))
    payment = store.get(order_id)
    assert payment is not None
    assert payment.status is Status.DECLINED
    assert refunds_of(sandbox, order_id) == []
