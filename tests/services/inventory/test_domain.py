"""Inventory rules without I/O: request validation, line comparison, outcome of a cancelled transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from services.inventory.domain import (
    Line,
    Outcome,
    ReservationIn,
    Shortfall,
    Stock,
    StockLevelIn,
    duplicate_skus,
    new_reservation,
    release_outcome,
    reservation_outcome,
    same_lines,
    shortfalls,
    unique_skus,
    unknown_skus,
)

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
OK, FAILED, CONFLICT = "None", "ConditionalCheckFailed", "TransactionConflict"


def lines(*pairs: tuple[str, int]) -> list[Line]:
    return [Line(sku=sku, quantity=quantity) for sku, quantity in pairs]


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
    "body", [{"available": -1}, {"available": 1.0}, {"available": True}, {"available": "3"}, {}]
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


@pytest.mark.parametrize("quantity", [0, -1, 1001, 1.5, 2.0, True, "2", None])
def test_line_quantity_is_an_integer_from_1_to_1000(quantity: Any) -> None:
    with pytest.raises(ValidationError):
        ReservationIn.model_validate(request(lines=[{"sku": "COF-001", "quantity": quantity}]))


def test_duplicate_skus_are_refused() -> None:
    body = request(
        lines=[
            {"sku": "A-SKU", "quantity": 1},
            {"sku": "B-SKU", "quantity": 1},
            {"sku": "A-SKU", "quantity": 2},
        ]
    )
    with pytest.raises(ValidationError, match="repeated: A-SKU"):
        ReservationIn.model_validate(body)


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
def test_duplicate_and_unique_skus() -> None:
    assert duplicate_skus(lines(("A-1X", 1), ("B-1X", 1), ("A-1X", 2), ("A-1X", 3))) == ["A-1X"]
    assert duplicate_skus(lines(("A-1X", 1), ("B-1X", 1))) == []
    assert unique_skus(["B-1X", "A-1X", "B-1X", "C-1X", "A-1X"]) == ["B-1X", "A-1X", "C-1X"]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (lines(("A-1X", 1), ("B-1X", 2)), lines(("B-1X", 2), ("A-1X", 1)), True),
        (lines(("A-1X", 1)), lines(("A-1X", 1)), True),
        (lines(("A-1X", 1)), lines(("A-1X", 2)), False),
        (lines(("A-1X", 1)), lines(("B-1X", 1)), False),
        (lines(("A-1X", 1)), lines(("A-1X", 1), ("B-1X", 1)), False),
        (lines(("A-1X", 1), ("B-1X", 1)), lines(("A-1X", 1)), False),
    ],
)
def test_same_lines_ignores_order_only(a: list[Line], b: list[Line], same: bool) -> None:
    assert same_lines(a, b) is same


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


# What a cancelled transaction means. Reserve: one stock update per line, then the reservation put.
@pytest.mark.parametrize(
    ("reasons", "outcome"),
    [
        ([OK, FAILED], Outcome.ALREADY_RESERVED),
        ([FAILED, FAILED], Outcome.ALREADY_RESERVED),  # a repeat wins over stock gone since
        ([OK, OK, FAILED], Outcome.ALREADY_RESERVED),
        ([FAILED, OK], Outcome.STOCK_CHECK_FAILED),
        ([OK, FAILED, OK], Outcome.STOCK_CHECK_FAILED),
        ([FAILED, CONFLICT, OK], Outcome.STOCK_CHECK_FAILED),
        ([CONFLICT, OK], Outcome.CONTENDED),
        ([OK, CONFLICT], Outcome.CONTENDED),
        ([OK, "ThrottlingError"], Outcome.UNEXPECTED),
        ([OK, OK], Outcome.UNEXPECTED),
        ([FAILED], Outcome.UNEXPECTED),  # not the shape we sent
        ([], Outcome.UNEXPECTED),
    ],
)
def test_reservation_outcome(reasons: list[str], outcome: Outcome) -> None:
    line_count = 2 if len(reasons) == 3 else 1
    assert reservation_outcome(reasons, line_count) is outcome


@pytest.mark.parametrize(
    ("reasons", "outcome"),
    [
        ([FAILED, OK, OK], Outcome.ALREADY_RELEASED),
        ([OK, CONFLICT], Outcome.CONTENDED),
        ([CONFLICT, OK], Outcome.CONTENDED),
        ([OK, FAILED], Outcome.UNEXPECTED),  # stock that cannot take its units back: a bug, not a retry
        ([], Outcome.UNEXPECTED),
    ],
)
def test_release_outcome(reasons: list[str], outcome: Outcome) -> None:
    assert release_outcome(reasons) is outcome
