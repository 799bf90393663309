"""The problems every BFF answers: what it could not find, and a dependency that failed (503/504).

An order of someone else is "not found", never "forbidden": a caller learns nothing about ids that
are not theirs.
"""

from __future__ import annotations

from foyer.problems import ProblemTable, ProblemType
from foyer.upstream.problems import PROBLEMS as UPSTREAM_PROBLEMS


class ProductNotFound(Exception):
    def __init__(self, sku: str) -> None:
        super().__init__(sku)
        self.sku = sku


class OrderNotFound(Exception):
    def __init__(self, order_id: str) -> None:
        super().__init__(order_id)
        self.order_id = order_id


PROBLEMS = (
    ProblemTable(
        {
            ProductNotFound: ProblemType[ProductNotFound](
                "product-not-found", 404, "Product not found", detail=lambda e: f"No product has sku {e.sku}."
            ),
            OrderNotFound: ProblemType[OrderNotFound](
                "order-not-found", 404, "Order not found", detail=lambda e: f"You have no order {e.order_id}."
            ),
        }
    )
    | UPSTREAM_PROBLEMS
)
