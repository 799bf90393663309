"""How the catalog's domain failures leave over HTTP: one table, registered by create_app and
documented per operation from the same entries."""

from __future__ import annotations

from foyer.problems import ProblemTable, ProblemType
from services.catalog.domain import PreconditionFailed, ProductExists, ProductNotFound

PROBLEMS = ProblemTable(
    {
        ProductNotFound: ProblemType[ProductNotFound](
            "product-not-found", 404, "Product not found", detail=lambda e: f"No product has sku {e.sku}."
        ),
        ProductExists: ProblemType[ProductExists](
            "product-exists",
            409,
            "Product exists",
            detail=lambda e: f"A product with sku {e.sku} already exists.",
            members=lambda e: {"sku": e.sku},
        ),
        PreconditionFailed: ProblemType[PreconditionFailed](
            "precondition-failed",
            412,
            "Precondition failed",
            detail=lambda e: (
                f"Product {e.sku} does not exist."
                if e.current is None
                else f"Product {e.sku} is at version {e.current}, which If-Match does not name."
            ),
            members=lambda e: {} if e.current is None else {"current_version": e.current},
        ),
    }
)
