"""foyer.contracts: each event's payload round-trips through its envelope, and the names are one list."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from foyer.contracts import (
    EVENTS,
    EventData,
    ItemLine,
    Money,
    OrderCancelled,
    OrderConfirmed,
    OrderPlaced,
    PaymentAuthorized,
    PaymentDeclined,
    PaymentFailed,
    PaymentRefunded,
    PricedLine,
    Shortfall,
    StockReserved,
    StockShortage,
)
from foyer.events import accepted, envelope_of, parse, read_data

REPO = Path(__file__).resolve().parents[3]
EUR = Money(amount=4430, currency="EUR")
PRICE = Money(amount=2215, currency="EUR")
LINE = PricedLine(sku="COFFEE-1KG", name="Coffee", quantity=2, unit_price=PRICE, line_total=EUR)
ENDED = {
    "order_id": "ord-1",
    "customer_id": "cust-1",
    "contact_email": "ada@example.com",
    "channel": "web",
    "partner_id": None,
    "lines": [LINE],
    "total": EUR,
}
EXAMPLES: list[EventData] = [
    OrderPlaced(
        order_id="ord-1",
        customer_id="cust-1",
        channel="partner",
        partner_id="acme",
        lines=[ItemLine(sku="COFFEE-1KG", quantity=2)],
        total=EUR,
        payment_source="tok_visa",
    ),
    StockReserved(
        order_id="ord-1", customer_id="cust-1", lines=[ItemLine(sku="COFFEE-1KG", quantity=2)], total=EUR
    ),
    StockShortage(
        order_id="ord-1", shortfalls=[Shortfall(sku="TEA-1", requested=3, available=1)], unknown_skus=[]
    ),
    PaymentAuthorized(order_id="ord-1", amount=EUR, charge_id="ch_1"),
    PaymentDeclined(order_id="ord-1", amount=EUR, charge_id="ch_2", reason="card_declined"),
    PaymentFailed(order_id="ord-1", amount=EUR, charge_id=None, reason="HTTP 503"),
    OrderConfirmed.model_validate(ENDED),
    OrderCancelled.model_validate({**ENDED, "reason": "out_of_stock"}),
    PaymentRefunded(order_id="ord-1", amount=EUR, charge_id="ch_1", refund_id="re_1"),
]


@pytest.mark.parametrize("payload", EXAMPLES, ids=lambda payload: payload.event_type)
def test_a_payload_round_trips_through_its_envelope_on_the_bus(payload: EventData) -> None:
    envelope = envelope_of(payload, correlation_id="corr-1")
    assert (envelope.type, envelope.version, envelope.source) == (
        payload.event_type,
        payload.version,
        payload.source,
    )
    # As a queue hands it over: the envelope as JSON inside an EventBridge event, inside an SQS body.
    body = json.dumps(
        {"detail-type": envelope.type, "source": envelope.source, "detail": json.loads(envelope.to_json())}
    )
    read = parse(body, accepted([type(payload)]))
    assert read == envelope
    assert read_data(read, type(payload)) == payload


def test_every_example_is_a_contract_and_every_contract_has_an_example() -> None:
    assert [type(payload) for payload in EXAMPLES] == list(EVENTS)


def test_each_type_and_version_is_one_contract_and_each_class_names_its_event() -> None:
    keys = [contract.key() for contract in EVENTS]
    assert len(set(keys)) == len(keys)
    assert all(contract.event_type == contract.__name__ for contract in EVENTS)
    assert {contract.source for contract in EVENTS} == {"foyer.orders", "foyer.inventory", "foyer.payments"}


def test_a_field_the_producer_left_out_stays_out_and_one_it_gave_stays_in() -> None:
    placed = OrderPlaced(
        order_id="o",
        customer_id="c",
        channel="web",
        partner_id=None,
        lines=[ItemLine(sku="TEA-1", quantity=1)],
        total=EUR,
    )
    assert placed.to_data()["partner_id"] is None
    assert "payment_source" not in placed.to_data()


def test_a_reader_ignores_fields_its_contract_does_not_name_and_refuses_a_named_one_missing() -> None:
    data = {**EXAMPLES[3].to_data(), "settled_by": "a newer producer"}
    assert PaymentAuthorized.model_validate(data) == EXAMPLES[3]
    with pytest.raises(ValidationError, match="amount"):
        PaymentAuthorized.model_validate({"order_id": "ord-1", "charge_id": "ch_1"})


def test_a_second_version_is_its_own_contract_under_the_same_type() -> None:
    class OrderPlacedV2(OrderPlaced, event_type="OrderPlaced", version=2, source="foyer.orders"):
        pass

    assert OrderPlacedV2.key() == ("OrderPlaced", 2)
    assert accepted([OrderPlaced, OrderPlacedV2]) == {"OrderPlaced": {1, 2}}


def test_reading_one_services_events_builds_no_other_services_models() -> None:
    code = (
        "import sys; from foyer.contracts import OrderConfirmed; "
        "print(*(f'foyer.contracts.{m}' in sys.modules for m in ('orders', 'inventory', 'payments')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "False", "False"]
