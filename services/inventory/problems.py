"""How inventory's domain failures leave over HTTP: one table, registered by create_app and
documented per operation from the same entries."""

from __future__ import annotations

from dataclasses import asdict

from foyer.problems import ProblemTable, ProblemType
from services.inventory.domain import (
    Contended,
    InsufficientStock,
    ReservationCommitted,
    ReservationMismatch,
    ReservationNotFound,
    ReservationReleased,
    StockNotFound,
    UnknownSkus,
)

PROBLEMS = ProblemTable(
    {
        StockNotFound: ProblemType[StockNotFound](
            "stock-not-found",
            404,
            "No stock recorded",
            detail=lambda e: (
                f"No stock is recorded for sku {e.skus[0]}."
                if len(e.skus) == 1
                else f"No stock is recorded for {len(e.skus)} of the skus."
            ),
            members=lambda e: {"unknown_skus": e.skus},
        ),
        ReservationNotFound: ProblemType[ReservationNotFound](
            "reservation-not-found",
            404,
            "Reservation not found",
            detail=lambda e: f"No reservation for order {e.order_id}.",
        ),
        UnknownSkus: ProblemType[UnknownSkus](
            "unknown-skus",
            422,
            "Unknown skus",
            detail=lambda e: f"No stock is recorded for {', '.join(e.skus)}.",
            members=lambda e: {"unknown_skus": e.skus},
        ),
        InsufficientStock: ProblemType[InsufficientStock](
            "insufficient-stock",
            409,
            "Insufficient stock",
            detail=lambda e: "Not enough stock for some lines; nothing was reserved.",
            members=lambda e: {"lines": [asdict(line) for line in e.lines]},
        ),
        ReservationMismatch: ProblemType[ReservationMismatch](
            "reservation-mismatch",
            409,
            "Reservation exists",
            detail=lambda e: f"Order {e.existing.order_id} already holds a reservation with other lines.",
            members=lambda e: {"order_id": e.existing.order_id},
        ),
        ReservationReleased: ProblemType[ReservationReleased](
            "reservation-released",
            409,
            "Reservation released",
            detail=lambda e: (
                f"Order {e.existing.order_id} reserved stock once and released it; it holds nothing now. "
                "An order id reserves once."
            ),
            members=lambda e: {"order_id": e.existing.order_id},
        ),
        ReservationCommitted: ProblemType[ReservationCommitted](
            "reservation-committed",
            409,
            "Reservation committed",
            detail=lambda e: (
                f"Order {e.existing.order_id} is confirmed and its units are sold; they cannot be given back."
            ),
            members=lambda e: {"order_id": e.existing.order_id},
        ),
        Contended: ProblemType[Contended](
            "contended",
            503,
            "Contended",
            detail=lambda e: "Concurrent updates of the same stock kept colliding; retry.",
            headers=lambda e: {"Retry-After": "1"},
            header_names=("Retry-After",),
        ),
    }
)
