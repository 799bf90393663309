"""Inventory's HTTP API: validate, call the store, shape the response. No rules live here.

Routes are `async def` and call the blocking boto3 store directly: in Lambda one event is served at
a time, so nothing else waits on the event loop, and Mangum's thread hop for `def` routes costs
several times more per invocation.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from functools import cache
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from pydantic import BaseModel

from foyer.dynamodb import Table
from foyer.errors import Conflict, NotFound, Problem, Unprocessable
from services.inventory.domain import (
    MAX_AVAILABILITY_SKUS,
    ORDER_ID_PATTERN,
    SKU_PATTERN,
    Availability,
    Contended,
    InsufficientStock,
    Reservation,
    ReservationIn,
    ReservationMismatch,
    ReservationNotFound,
    Stock,
    StockLevelIn,
    UnknownSkus,
    unique_skus,
)
from services.inventory.settings import get_settings
from services.inventory.store import InventoryStore

router = APIRouter()

PROBLEM_TYPE = "urn:foyer:problem:"


class InsufficientStockProblem(Conflict):
    type = PROBLEM_TYPE + "insufficient-stock"


class ReservationMismatchProblem(Conflict):
    type = PROBLEM_TYPE + "reservation-mismatch"


class UnknownSkusProblem(Unprocessable):
    type = PROBLEM_TYPE + "unknown-skus"


class Busy(Problem):
    status = 503
    type = PROBLEM_TYPE + "contended"


@cache
def get_store() -> InventoryStore:
    """The process-wide store (tests replace it with `app.dependency_overrides`)."""
    return InventoryStore(Table(get_settings().table_name))


Store = Annotated[InventoryStore, Depends(get_store)]
SkuPath = Annotated[str, Path(pattern=SKU_PATTERN)]
OrderIdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=ORDER_ID_PATTERN)]


class AvailabilityList(BaseModel):
    items: list[Availability]


def _now() -> datetime:
    return datetime.now(UTC)


@router.put("/stock/{sku}", tags=["stock"], summary="Set the available stock of a sku")
async def set_stock(sku: SkuPath, body: Annotated[StockLevelIn, Body()], store: Store) -> Stock:
    return store.set_available(sku, body.available)


@router.get("/stock/{sku}", tags=["stock"], summary="Available and reserved stock of a sku")
async def get_stock(sku: SkuPath, store: Store) -> Stock:
    stock = store.get_stock(sku)
    if stock is None:
        raise NotFound(f"No stock is recorded for sku {sku}.")
    return stock


@router.get("/availability", tags=["stock"], summary="Available stock of several skus")
async def availability(
    store: Store,
    sku: Annotated[
        list[Annotated[str, Query(pattern=SKU_PATTERN)]],
        Query(min_length=1, max_length=MAX_AVAILABILITY_SKUS),
    ],
) -> AvailabilityList:
    skus = unique_skus(sku)
    stock = store.stock_levels(skus)
    unknown = [s for s in skus if s not in stock]
    if unknown:
        raise NotFound(f"No stock is recorded for {len(unknown)} of the skus.", unknown_skus=unknown)
    return AvailabilityList(items=[Availability(sku=s, available=stock[s].available) for s in skus])


@router.post(
    "/reservations",
    tags=["reservations"],
    status_code=201,
    summary="Reserve stock for an order (all lines or none; idempotent per order id)",
    responses={
        200: {"description": "The same request was served before", "model": Reservation},
        503: {"description": "Concurrent updates kept colliding; retry"},
    },
)
async def reserve(
    body: Annotated[ReservationIn, Body()], store: Store, request: Request, response: Response
) -> Reservation:
    try:
        reservation, created = store.reserve(body, now=_now())
    except UnknownSkus as exc:
        raise UnknownSkusProblem(
            f"No stock is recorded for {', '.join(exc.skus)}.", title="Unknown skus", unknown_skus=exc.skus
        ) from exc
    except InsufficientStock as exc:
        raise InsufficientStockProblem(
            "Not enough stock for some lines; nothing was reserved.",
            title="Insufficient stock",
            lines=[asdict(line) for line in exc.lines],
        ) from exc
    except ReservationMismatch as exc:
        raise ReservationMismatchProblem(
            f"Order {body.order_id} already holds a reservation with other lines.",
            title="Reservation exists",
            order_id=body.order_id,
        ) from exc
    except Contended as exc:
        raise Busy("Concurrent updates of the same stock kept colliding; retry.") from exc
    response.status_code = 201 if created else 200
    path = request.app.url_path_for("get_reservation", order_id=reservation.order_id)
    response.headers["Location"] = f"{request.scope.get('root_path', '')}{path}"
    return reservation


@router.get("/reservations/{order_id}", tags=["reservations"], name="get_reservation")
async def get_reservation(order_id: OrderIdPath, store: Store) -> Reservation:
    reservation = store.get_reservation(order_id)
    if reservation is None:
        raise NotFound(f"No reservation for order {order_id}.")
    return reservation


@router.post(
    "/reservations/{order_id}/release",
    tags=["reservations"],
    summary="Give a reservation's stock back (idempotent)",
    responses={503: {"description": "Concurrent updates kept colliding; retry"}},
)
async def release(order_id: OrderIdPath, store: Store) -> Reservation:
    try:
        return store.release(order_id, now=_now())
    except ReservationNotFound as exc:
        raise NotFound(f"No reservation for order {order_id}.") from exc
    except Contended as exc:
        raise Busy("Concurrent updates of the same stock kept colliding; retry.") from exc
