"""Notifications' HTTP API: what was sent for an order, read from the service's own table."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from foyer.blocking import run_blocking
from services.notifications.deps import Store
from services.notifications.domain import ID_PATTERN, OrderNotifications

router = APIRouter(tags=["notifications"])


@router.get("/notifications/{order_id}", summary="What was sent for an order (e-mails, SNS messages)")
async def notifications_for(
    order_id: Annotated[str, Path(pattern=ID_PATTERN)], store: Store
) -> OrderNotifications:
    return await run_blocking(store.sent_for, order_id)
