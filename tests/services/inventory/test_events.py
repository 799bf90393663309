"""Inventory's events: an OrderPlaced turned into a reservation, and what inventory announces."""

from __future__ import annotations

import pytest

from foyer.contracts import ItemLine, Money, OrderPlaced
from foyer.events import MalformedEvent
from services.inventory.domain import MAX_QUANTITY
from services.inventory.events import reservation, stock_reserved


def placed(quantity: int = 2, **more: str | None) -> OrderPlaced:
    return OrderPlaced(
        order_id="ord-1",
        customer_id="cust-1",
        channel="web",
        lines=[ItemLine(sku="COFFEE-1KG", quantity=quantity)],
        total=Money(amount=4430, currency="EUR"),
        **more,
    )


def test_an_order_asks_for_its_lines() -> None:
    asked = reservation(placed(quantity=3))
    assert (asked.order_id, [(line.sku, line.quantity) for line in asked.lines]) == (
        "ord-1",
        [("COFFEE-1KG", 3)],
    )


def test_a_quantity_inventory_never_holds_makes_the_event_unreadable() -> None:
    with pytest.raises(MalformedEvent, match="OrderPlaced ord-1 lines"):
        reservation(placed(quantity=MAX_QUANTITY + 1))


def test_stock_reserved_passes_on_what_the_order_gave_and_nothing_it_did_not() -> None:
    data = stock_reserved(placed(payment_source="tok_visa", partner_id=None)).to_data()
    assert data == {
        "order_id": "ord-1",
        "lines": [{"sku": "COFFEE-1KG", "quantity": 2}],
        "total": {"amount": 4430, "currency": "EUR"},
        "customer_id": "cust-1",
        "channel": "web",
        "payment_source": "tok_visa",
    }
