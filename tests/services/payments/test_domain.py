"""Payments' rules, without storage or a provider."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from services.payments.domain import ChargeRequest, ChargeTries, Money, Status, settle

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
REQUEST = ChargeRequest(order_id="order-1", total=Money(amount=4430, currency="EUR"))


@pytest.mark.parametrize(
    ("status", "reason", "charge_id", "type_", "data"),
    [
        (Status.AUTHORIZED, None, "ch_1", "PaymentAuthorized", {"charge_id": "ch_1"}),
        (
            Status.DECLINED,
            "card_declined",
            "ch_2",
            "PaymentDeclined",
            {"charge_id": "ch_2", "reason": "card_declined"},
        ),
        (Status.FAILED, "HTTP 503", None, "PaymentFailed", {"charge_id": None, "reason": "HTTP 503"}),
    ],
)
def test_each_outcome_is_announced_by_its_event(
    status: Status, reason: str | None, charge_id: str | None, type_: str, data: dict[str, Any]
) -> None:
    payment = settle(
        REQUEST, status, reason=reason, charge_id=charge_id, attempts=1, started_at=T0, settled_at=T0
    )
    announced = payment.event()
    assert (announced.event_type, announced.version, announced.source) == (type_, 1, "foyer.payments")
    assert announced.to_data() == {
        "order_id": "order-1",
        "amount": {"amount": 4430, "currency": "EUR"},
        **data,
    }


def test_a_payment_counts_the_attempts_and_start_of_earlier_failed_deliveries() -> None:
    earlier = ChargeTries(order_id="order-1", failures=2, attempts=7, first_at=T0, last_reason="HTTP 500")
    later = T0 + timedelta(minutes=2)
    payment = settle(
        REQUEST,
        Status.AUTHORIZED,
        charge_id="ch_1",
        attempts=2,
        started_at=later,
        settled_at=later,
        tries=earlier,
    )
    assert (payment.attempts, payment.created_at, payment.settled_at) == (9, T0, later)


def test_tries_are_exhausted_at_the_limit() -> None:
    assert not ChargeTries(order_id="o", failures=2).exhausted(3)
    assert ChargeTries(order_id="o", failures=3).exhausted(3)


def test_a_charge_request_reads_the_event_data_and_ignores_the_rest() -> None:
    request = ChargeRequest.model_validate(
        {"order_id": "o-1", "total": {"amount": 5, "currency": "USD"}, "lines": [], "payment_source": "tok_x"}
    )
    assert (request.total.amount, request.payment_source) == (5, "tok_x")


@pytest.mark.parametrize(
    "data",
    [
        {"total": {"amount": 5, "currency": "USD"}},
        {"order_id": "o-1"},
        {"order_id": "o-1", "total": {"amount": 5.5, "currency": "USD"}},
        {"order_id": "o-1", "total": {"amount": 5, "currency": "dollars"}},
        {"order_id": "o-1", "total": {"amount": 5, "currency": "USD"}, "payment_source": ""},
    ],
)
def test_a_charge_request_needs_an_order_and_a_total(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ChargeRequest.model_validate(data)


@pytest.mark.parametrize(
    ("amount", "chargeable"), [(-5, False), (0, False), (1, True), (100, True), (101, False)]
)
def test_a_total_is_chargeable_from_one_minor_unit_to_the_providers_largest(
    amount: int, chargeable: bool
) -> None:
    request = ChargeRequest.model_validate(
        {"order_id": "o-1", "total": {"amount": amount, "currency": "USD"}}
    )
    assert request.chargeable(100) is chargeable


def test_only_an_authorized_payment_is_refunded_and_its_refund_is_announced() -> None:
    authorized = settle(
        REQUEST, Status.AUTHORIZED, charge_id="ch_1", attempts=1, started_at=T0, settled_at=T0
    )
    later = T0 + timedelta(minutes=1)
    refunded = authorized.refunded("re_1", later)
    assert (refunded.status, refunded.refund_id, refunded.refunded_at) == (Status.REFUNDED, "re_1", later)
    assert authorized.refund_key == refunded.refund_key == "refund-order-1"
    announced = refunded.event()
    assert announced.event_type == "PaymentRefunded"
    assert announced.to_data() == {
        "order_id": "order-1",
        "amount": {"amount": 4430, "currency": "EUR"},
        "charge_id": "ch_1",
        "refund_id": "re_1",
    }
    declined = settle(
        REQUEST, Status.DECLINED, reason="card_declined", attempts=1, started_at=T0, settled_at=T0
    )
    for payment in (declined, refunded):
        with pytest.raises(ValueError, match="nothing to refund"):
            payment.refunded("re_2", later)
