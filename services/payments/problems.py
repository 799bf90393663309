"""How payments' failures leave over HTTP: one table, registered by create_app and documented per
operation from the same entries."""

from __future__ import annotations

from foyer.problems import ProblemTable, ProblemType
from services.payments.domain import PaymentNotFound

PROBLEMS = ProblemTable(
    {
        PaymentNotFound: ProblemType[PaymentNotFound](
            "payment-not-found",
            404,
            "Payment not found",
            detail=lambda e: f"No payment was settled for order {e.order_id} (yet).",
        ),
    }
)
