"""Payments' HTTP API: an order's settled payment. Charging is not an HTTP call: it reacts to events
(services/payments/consumers.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from foyer.blocking import run_blocking
from services.payments.deps import Store
from services.payments.domain import ID_PATTERN, Payment, PaymentNotFound
from services.payments.problems import PROBLEMS

router = APIRouter(tags=["payments"])


@router.get(
    "/payments/{order_id}",
    summary="An order's payment: authorized, declined, failed or refunded",
    responses=PROBLEMS.responses(PaymentNotFound),
)
async def get_payment(order_id: Annotated[str, Path(pattern=ID_PATTERN)], store: Store) -> Payment:
    payment = await run_blocking(store.get, order_id)
    if payment is None:
        raise PaymentNotFound(order_id)
    return payment
