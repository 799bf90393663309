"""Orders' HTTP API: parse the request, call the catalog and the store, shape the answer.

Domain failures become problems through services/orders/problems.py; no route maps an error itself.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from foyer import pagination
from foyer.blocking import run_blocking
from foyer.errors import BadRequest
from foyer.events import envelope_of
from foyer.idempotency import KeyReused, RequestInFlight
from foyer.routing import location
from services.orders.catalog import CatalogUnavailable
from services.orders.deps import CatalogReader, Once, Store
from services.orders.domain import (
    ID_PATTERN,
    MixedCurrencies,
    Order,
    OrderExists,
    OrderIn,
    OrderNotFound,
    TimelineStep,
    TotalOutOfRange,
    UnknownSkus,
    place,
    placed_event,
    timeline,
)
from services.orders.problems import PROBLEMS
from services.orders.store import CUSTOMER_KEYS, PARTNER_KEYS

router = APIRouter(tags=["orders"])

OrderIdPath = Annotated[str, Path(pattern=ID_PATTERN)]


class Timeline(BaseModel):
    order_id: str
    steps: list[TimelineStep]


class OrderPage(BaseModel):
    items: list[Order]
    next_cursor: str | None = None


def _now() -> datetime:
    return datetime.now(UTC)


@router.post(
    "/orders",
    status_code=201,
    summary="Place an order (PENDING; prices from the catalog; optional Idempotency-Key)",
    response_model=Order,
    responses=PROBLEMS.responses(
        UnknownSkus, MixedCurrencies, TotalOutOfRange, CatalogUnavailable, KeyReused, RequestInFlight
    ),
)
async def place_order(
    body: Annotated[OrderIn, Body()], once: Once, store: Store, catalog: CatalogReader, request: Request
) -> Response:
    if once.replay is not None:
        return once.replay
    entries = await catalog.entries(line.sku for line in body.lines)
    order = place(uuid.uuid4().hex, body, entries, _now())
    placed = envelope_of(placed_event(order), now=order.created_at)
    try:
        await run_blocking(store.create, order, placed)
    except OrderExists:
        # The id is this request's own (uuid4): an order under it is this request's write, committed by
        # an attempt whose answer was lost and that the SDK sent again. Anything else is a real clash.
        stored = await run_blocking(store.get, order.order_id)
        if stored is None or stored.created_at != order.created_at:
            raise
    headers = {"Location": location(request, "get_order", order_id=order.order_id)}
    answer = JSONResponse(order.model_dump(mode="json"), status_code=201, headers=headers)
    return await once.complete(answer)


@router.get(
    "/orders/{order_id}", name="get_order", summary="One order", responses=PROBLEMS.responses(OrderNotFound)
)
async def get_order(order_id: OrderIdPath, store: Store) -> Order:
    order = await run_blocking(store.get, order_id)
    if order is None:
        raise OrderNotFound(order_id)
    return order


@router.get("/orders", summary="A customer's or a partner's orders, newest first")
async def list_orders(
    store: Store,
    customer_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    partner_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> OrderPage:
    if (customer_id is None) == (partner_id is None):
        raise BadRequest("Give exactly one of customer_id and partner_id.")
    keys = CUSTOMER_KEYS if customer_id is not None else PARTNER_KEYS
    start = pagination.decode(cursor, allowed_keys=keys)
    owner = ("customer_id", customer_id) if customer_id is not None else ("partner_id", partner_id)
    # A cursor must continue the listing it came from: same keys, same owner.
    if start is not None and (set(start) != keys or start.get(owner[0]) != owner[1]):
        raise pagination.InvalidCursor("The cursor belongs to another listing.")
    orders, last = await run_blocking(
        store.orders_of, customer_id=customer_id, partner_id=partner_id, limit=limit, start=start
    )
    return OrderPage(items=orders, next_cursor=pagination.encode(last))


@router.get(
    "/orders/{order_id}/timeline",
    summary="What happened to an order, step by step (the read side of its saga)",
    responses=PROBLEMS.responses(OrderNotFound),
)
async def get_timeline(order_id: OrderIdPath, store: Store) -> Timeline:
    steps = await run_blocking(store.timeline, order_id)
    if steps is None:
        raise OrderNotFound(order_id)
    return Timeline(order_id=order_id, steps=timeline(steps))
