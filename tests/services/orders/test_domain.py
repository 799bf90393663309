"""Orders rules without I/O: what may be ordered, pricing from the catalog, the status machine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from services.orders.domain import (
    MAX_TOTAL,
    CancelReason,
    CatalogEntry,
    MixedCurrencies,
    Money,
    OrderIn,
    Status,
    TotalOutOfRange,
    UnknownSkus,
    place,
    placed_event,
)
from tests.email_addresses import SENDABLE, UNSENDABLE

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
CATALOG = {
    "COF-001": CatalogEntry(sku="COF-001", name="Espresso 500g", price=Money(amount=1890, currency="EUR")),
    "TEA-002": CatalogEntry(sku="TEA-002", name="Sencha 100g", price=Money(amount=650, currency="EUR")),
    "MUG-003": CatalogEntry(sku="MUG-003", name="Mug", price=Money(amount=1200, currency="USD")),
}


def request(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "customer_id": "cust-1",
        "contact_email": "ada@example.com",
        "lines": [{"sku": "COF-001", "quantity": 2}, {"sku": "TEA-002", "quantity": 1}],
        "channel": "web",
    }
    body.update(overrides)
    return body


def placed(**overrides: Any) -> Any:
    return place("ord-1", OrderIn.model_validate(request(**overrides)), CATALOG, NOW)


def test_an_order_is_placed_pending_and_priced_from_the_catalog() -> None:
    order = placed()
    assert order.status is Status.PENDING
    assert [
        (line.sku, line.name, line.unit_price.amount, line.line_total.amount) for line in order.lines
    ] == [
        ("COF-001", "Espresso 500g", 1890, 3780),
        ("TEA-002", "Sencha 100g", 650, 650),
    ]
    assert order.total == Money(amount=4430, currency="EUR")
    assert [step.status for step in order.history] == [Status.PENDING]


@pytest.mark.parametrize(
    "body",
    [
        request(lines=[]),
        request(lines=[{"sku": f"SKU-{i:03d}", "quantity": 1} for i in range(51)]),
        request(lines=[{"sku": "COF-001", "quantity": 0}]),
        request(lines=[{"sku": "COF-001", "quantity": -1}]),
        request(lines=[{"sku": "COF-001", "quantity": 1.5}]),
        request(lines=[{"sku": "COF-001", "quantity": "2"}]),
        request(lines=[{"sku": "COF-001", "quantity": 1}, {"sku": "COF-001", "quantity": 2}]),
        request(lines=[{"sku": "COF-001", "quantity": 1, "price": 1}]),
        request(total={"amount": 1, "currency": "EUR"}),
        request(status="CONFIRMED"),
        request(contact_email="not-an-address"),
        request(contact_email="a b@example.com"),
        request(contact_email="ada@localhost"),
        request(channel="fax"),
        request(customer_id=""),
        request(payment_token="4242424242424242"),  # card data, never a token
        request(payment_token="tok_"),
        request(reference="x" * 65),
        request(reference="PO\n1"),  # no controls: it is shown in logs and CSV files as sent
        request(reference="PO-\u00e9"),  # printable ASCII only
        request(reference=1001),
    ],
)
def test_bad_orders_are_refused(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        OrderIn.model_validate(body)


def test_the_payment_token_travels_to_payments_in_order_placed() -> None:
    with_token = placed(payment_token="tok_decline")
    assert with_token.payment_token == "tok_decline"
    assert placed_event(with_token).payment_source == "tok_decline"
    assert "payment_source" not in placed_event(placed()).to_data()  # payments charges its default


def test_the_callers_reference_is_kept_on_the_order_and_makes_another_request() -> None:
    assert placed(reference="PO 1001/a").reference == "PO 1001/a"
    assert placed(reference="x" * 64).reference == "x" * 64
    assert placed().reference is None
    first = OrderIn.model_validate(request(reference="PO-1"))
    assert not first.same_request(OrderIn.model_validate(request(reference="PO-2")))


def test_unknown_skus_and_mixed_currencies_are_refused() -> None:
    with pytest.raises(UnknownSkus) as unknown:
        placed(lines=[{"sku": "COF-001", "quantity": 1}, {"sku": "NOPE-9", "quantity": 1}])
    assert unknown.value.skus == ["NOPE-9"]
    with pytest.raises(MixedCurrencies) as mixed:
        placed(lines=[{"sku": "COF-001", "quantity": 1}, {"sku": "MUG-003", "quantity": 1}])
    assert mixed.value.currencies == ["EUR", "USD"]


def test_the_happy_path_and_its_history() -> None:
    later = NOW + timedelta(seconds=1)
    reserved = placed().move(Status.RESERVED, later)
    assert reserved is not None
    confirmed = reserved.move(Status.CONFIRMED, later + timedelta(seconds=1))
    assert confirmed is not None
    assert confirmed.terminal
    assert [step.status for step in confirmed.history] == [Status.PENDING, Status.RESERVED, Status.CONFIRMED]
    assert confirmed.version == 3


@pytest.mark.parametrize("reason", list(CancelReason))
def test_a_cancellation_keeps_its_reason(reason: CancelReason) -> None:
    cancelled = placed().move(Status.CANCELLED, NOW, reason)
    assert cancelled is not None
    assert (cancelled.status, cancelled.cancel_reason, cancelled.history[-1].reason) == (
        Status.CANCELLED,
        reason,
        reason,
    )


def test_moves_that_do_not_apply_change_nothing() -> None:
    order = placed()
    assert order.move(Status.CONFIRMED, NOW) is None  # not reserved yet
    reserved = order.move(Status.RESERVED, NOW)
    assert reserved is not None
    assert reserved.move(Status.RESERVED, NOW) is None  # the same event again
    cancelled = reserved.move(Status.CANCELLED, NOW, CancelReason.PAYMENT_DECLINED)
    assert cancelled is not None
    for late in Status:
        assert cancelled.move(late, NOW) is None  # terminal stays terminal


def test_a_repeated_request_is_recognised_whatever_its_line_order() -> None:
    first = OrderIn.model_validate(request())
    again = OrderIn.model_validate(request(lines=list(reversed(request()["lines"]))))
    other = OrderIn.model_validate(request(contact_email="bob@example.com"))
    assert first.same_request(again)
    assert not first.same_request(other)


def test_a_timeline_is_in_the_order_things_happened_whatever_the_arrival() -> None:
    from services.orders.domain import TimelineStep, timeline

    t = NOW
    steps = [
        TimelineStep.of("e3", "OrderConfirmed", t + timedelta(seconds=2), {}),
        TimelineStep.of("e1", "OrderPlaced", t, {"total": {"amount": 1, "currency": "EUR"}, "lines": []}),
        TimelineStep.of("e2b", "PaymentAuthorized", t + timedelta(seconds=1), {"charge_id": "ch_1"}),
        TimelineStep.of("e2a", "StockReserved", t + timedelta(seconds=1), {}),
    ]
    assert [s.type for s in timeline(steps)] == [
        "OrderPlaced",
        "StockReserved",
        "PaymentAuthorized",
        "OrderConfirmed",
    ]
    assert steps[1].details == {"total": {"amount": 1, "currency": "EUR"}}  # only what a reader needs


@pytest.mark.parametrize(
    ("price", "quantity", "total"),
    [(0, 1, 0), (MAX_TOTAL, 2, 2 * MAX_TOTAL), (MAX_TOTAL // 1000 + 1, 1000, (MAX_TOTAL // 1000 + 1) * 1000)],
)
def test_a_total_no_payment_can_be_taken_for_is_refused(price: int, quantity: int, total: int) -> None:
    # A free product (a price the catalog refuses today, but stored earlier) or more than one charge.
    catalog = {"GLD-001": CatalogEntry(sku="GLD-001", name="Gold", price=Money(amount=price, currency="EUR"))}
    body = OrderIn.model_validate(request(lines=[{"sku": "GLD-001", "quantity": quantity}]))
    with pytest.raises(TotalOutOfRange) as exc:
        place("ord-1", body, catalog, NOW)
    assert exc.value.total == Money(amount=total, currency="EUR")
    assert exc.value.max_total == Money(amount=MAX_TOTAL, currency="EUR")


def test_the_largest_total_is_the_largest_charge_of_the_provider_and_its_sandbox() -> None:
    from devtools.devstack.payment_sandbox import app as sandbox
    from services.payments.provider import MAX_AMOUNT

    assert MAX_TOTAL == MAX_AMOUNT == sandbox.MAX_AMOUNT
    catalog = {
        "GLD-001": CatalogEntry(sku="GLD-001", name="Gold", price=Money(amount=MAX_TOTAL, currency="EUR"))
    }
    body = OrderIn.model_validate(request(lines=[{"sku": "GLD-001", "quantity": 1}]))
    assert place("ord-1", body, catalog, NOW).total.amount == MAX_TOTAL


@pytest.mark.parametrize("address", UNSENDABLE)
def test_an_address_the_mail_sender_refuses_is_refused_at_placement(address: str) -> None:
    with pytest.raises(ValidationError) as exc:
        OrderIn.model_validate(request(contact_email=address))
    assert [error["loc"] for error in exc.value.errors()] == [("contact_email",)]


@pytest.mark.parametrize(("address", "kept"), SENDABLE.items())
def test_an_order_keeps_the_address_as_mail_is_sent_to_it(address: str, kept: str) -> None:
    assert placed(contact_email=address).contact_email == kept
