"""Inventory rules without I/O: request validation, merging lines, recognising a repeated request."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from services.inventory.domain import (
    HeldLine,
    ReservationIn,
    Shortfall,
    Stock,
    StockLevelIn,
    new_reservation,
    shortfalls,
    unique_skus,
    unknown_skus,
)

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def lines(*pairs: tuple[str, int]) -> list[HeldLine]:
    return [HeldLine(sku=sku, quantity=quantity) for sku, quantity in pairs]


def reservation_request(*pairs: tuple[str, int], order_id: str = "ord-1") -> ReservationIn:
    return ReservationIn.model_validate(
        {"order_id": order_id, "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in pairs]}
    )


def request(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"order_id": "ord-1_A", "lines": [{"sku": "COF-001", "quantity": 2}]}
    body.update(overrides)
    return body


def error_types(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {e["type"] for e in exc.value.errors()}


# Stock levels.
@pytest.mark.parametrize("available", [0, 1, 10**9])
def test_stock_level_accepts_non_negative_integers(available: int) -> None:
    assert StockLevelIn.model_validate({"available": available}).available == available


@pytest.mark.parametrize(
    "body", [{"available": -1}, {"available": 1.5}, {"available": True}, {"available": "3"}, {}]
)
def test_stock_level_refuses_anything_else(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        StockLevelIn.model_validate(body)


def test_stock_level_refuses_unknown_fields() -> None:
    with pytest.raises(ValidationError) as exc:
        StockLevelIn.model_validate({"available": 1, "reserved": 5})
    assert "extra_forbidden" in error_types(exc)


# Reservation requests.
def test_a_valid_reservation_request() -> None:
    parsed = ReservationIn.model_validate(
        request(lines=[{"sku": "B-SKU", "quantity": 1000}, {"sku": "A-SKU", "quantity": 1}])
    )
    assert [(line.sku, line.quantity) for line in parsed.lines] == [("B-SKU", 1000), ("A-SKU", 1)]


@pytest.mark.parametrize("quantity", [0, -1, 1001, 1.5, 1000.5, True, "2", None])
def test_line_quantity_is_an_integer_from_1_to_1000(quantity: Any) -> None:
    with pytest.raises(ValidationError):
        ReservationIn.model_validate(request(lines=[{"sku": "COF-001", "quantity": quantity}]))


def test_an_integral_float_is_the_integer_json_schema_says_it_is() -> None:
    parsed = ReservationIn.model_validate(request(lines=[{"sku": "COF-001", "quantity": 2.0}]))
    assert parsed.lines[0].quantity == 2
    assert type(parsed.lines[0].quantity) is int


def test_a_sku_on_several_lines_is_held_once_for_their_total() -> None:
    parsed = reservation_request(("B-SKU", 1), ("A-SKU", 1000), ("B-SKU", 2), ("A-SKU", 1000))
    assert parsed.held_lines() == lines(("A-SKU", 2000), ("B-SKU", 3))


@pytest.mark.parametrize(
    "body",
    [
        request(lines=[]),
        request(lines=[{"sku": f"SKU-{i:03d}", "quantity": 1} for i in range(51)]),
        request(order_id=""),
        request(order_id="o" * 65),
        request(order_id="order 1"),
        request(order_id="order/1"),
        request(order_id="ordér"),
        request(lines=[{"sku": "lower", "quantity": 1}]),
        request(lines=[{"sku": "COF-001", "quantity": 1, "price": 3}]),
        request(customer="me"),
        {"lines": [{"sku": "COF-001", "quantity": 1}]},
    ],
)
def test_invalid_reservation_requests(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ReservationIn.model_validate(body)


def test_fifty_lines_and_a_64_character_order_id_are_fine() -> None:
    parsed = ReservationIn.model_validate(
        request(order_id="o" * 64, lines=[{"sku": f"SKU-{i:03d}", "quantity": 1} for i in range(50)])
    )
    assert len(parsed.lines) == 50


def test_new_reservation_is_reserved_with_lines_in_sku_order() -> None:
    parsed = ReservationIn.model_validate(
        request(lines=[{"sku": "B-SKU", "quantity": 2}, {"sku": "A-SKU", "quantity": 1}])
    )
    reservation = new_reservation(parsed, NOW)
    assert reservation.status == "reserved"
    assert [line.sku for line in reservation.lines] == ["A-SKU", "B-SKU"]
    assert reservation.created_at == reservation.updated_at == NOW


# Pure helpers.
def test_unique_skus_keep_the_first_appearance() -> None:
    assert unique_skus(["B-1X", "A-1X", "B-1X", "C-1X", "A-1X"]) == ["B-1X", "A-1X", "C-1X"]


@pytest.mark.parametrize(
    ("again", "answered"),
    [
        (reservation_request(("B-1X", 2), ("A-1X", 1)), True),  # line order does not matter
        (reservation_request(("A-1X", 1), ("B-1X", 1), ("B-1X", 1)), True),  # nor how lines are split
        (reservation_request(("A-1X", 1)), False),
        (reservation_request(("A-1X", 1), ("B-1X", 3)), False),
        (reservation_request(("A-1X", 1), ("C-1X", 2)), False),
        (reservation_request(("A-1X", 1), ("B-1X", 2), ("C-1X", 1)), False),
        (reservation_request(("A-1X", 1), ("B-1X", 2), order_id="ord-2"), False),
    ],
)
def test_a_reservation_recognises_its_own_request_again(again: ReservationIn, answered: bool) -> None:
    reservation = new_reservation(reservation_request(("A-1X", 1), ("B-1X", 2)), NOW)
    assert reservation.answers(again) is answered


def test_shortfalls_and_unknown_skus_merge_lines_with_stock() -> None:
    wanted = lines(("A-1X", 5), ("B-1X", 2), ("C-1X", 1), ("D-1X", 3))
    stock = {
        "A-1X": Stock(sku="A-1X", available=4, reserved=9),
        "B-1X": Stock(sku="B-1X", available=2),
        "D-1X": Stock(sku="D-1X", available=0),
    }
    assert unknown_skus(wanted, stock) == ["C-1X"]
    assert shortfalls(wanted, stock) == [Shortfall("A-1X", 5, 4), Shortfall("D-1X", 3, 0)]
    assert shortfalls(lines(("B-1X", 2)), stock) == []
