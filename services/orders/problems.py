"""How orders' failures leave over HTTP: one table, registered by create_app and documented per
operation from the same entries (Idempotency-Key's problems come from foyer.idempotency)."""

from __future__ import annotations

from foyer.idempotency.http import PROBLEMS as IDEMPOTENCY_PROBLEMS
from foyer.problems import ProblemTable, ProblemType
from services.orders.catalog import CatalogUnavailable
from services.orders.domain import MixedCurrencies, OrderNotFound, TotalOutOfRange, UnknownSkus

PROBLEMS = (
    ProblemTable(
        {
            OrderNotFound: ProblemType[OrderNotFound](
                "order-not-found", 404, "Order not found", detail=lambda e: f"No order {e.order_id}."
            ),
            UnknownSkus: ProblemType[UnknownSkus](
                "unknown-skus",
                422,
                "Unknown skus",
                detail=lambda e: f"The catalog has no {', '.join(e.skus)}; nothing was ordered.",
                members=lambda e: {"unknown_skus": e.skus},
            ),
            MixedCurrencies: ProblemType[MixedCurrencies](
                "mixed-currencies",
                422,
                "Mixed currencies",
                detail=lambda e: f"The lines are priced in {', '.join(e.currencies)}: order them separately.",
                members=lambda e: {"currencies": e.currencies},
            ),
            TotalOutOfRange: ProblemType[TotalOutOfRange](
                "total-out-of-range",
                422,
                "Total out of range",
                detail=lambda e: (
                    f"The order's total is {e.total.amount} minor units of {e.total.currency}; an order "
                    f"is paid for 1 to {e.max_total.amount} minor units. Nothing was ordered."
                ),
                members=lambda e: {
                    "total": e.total.model_dump(),
                    "max_total": e.max_total.model_dump(),
                },
            ),
            CatalogUnavailable: ProblemType[CatalogUnavailable](
                "catalog-unavailable",
                503,
                "Catalog unavailable",
                detail=lambda e: "Prices could not be read from the catalog; nothing was ordered. Retry.",
                headers=lambda e: {"Retry-After": "2"},
                header_names=("Retry-After",),
            ),
        }
    )
    | IDEMPOTENCY_PROBLEMS
)
