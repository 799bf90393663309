"""Inventory's HTTP API: parse the request, call the store, shape the answer.

Routes call the blocking store through `run_blocking`: inline in Lambda (one event at a time), in a
worker thread under uvicorn, so one slow call never holds up the others. Domain failures become
problems through services/inventory/problems.py; no route maps an error itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request, Response
from pydantic import BaseModel

from foyer.blocking import run_blocking
from foyer.routing import location
from services.inventory.deps import Store
from services.inventory.domain import (
    MAX_AVAILABILITY_SKUS,
    ORDER_ID_PATTERN,
    SKU_PATTERN,
    Availability,
    Contended,
    InsufficientStock,
    Reservation,
    ReservationCommitted,
    ReservationIn,
    ReservationMismatch,
    ReservationNotFound,
    ReservationReleased,
    Stock,
    StockLevelIn,
    StockNotFound,
    UnknownSkus,
    unique_skus,
)
from services.inventory.problems import PROBLEMS

router = APIRouter()

SkuPath = Annotated[str, Path(pattern=SKU_PATTERN)]
OrderIdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=ORDER_ID_PATTERN)]


class AvailabilityList(BaseModel):
    items: list[Availability]


def _now() -> datetime:
    return datetime.now(UTC)


@router.put("/stock/{sku}", tags=["stock"], summary="Set the available stock of a sku")
async def set_stock(sku: SkuPath, body: Annotated[StockLevelIn, Body()], store: Store) -> Stock:
    return await run_blocking(store.set_available, sku, body.available)


@router.get(
    "/stock/{sku}",
    tags=["stock"],
    summary="Available and reserved stock of a sku",
    responses=PROBLEMS.responses(StockNotFound),
)
async def get_stock(sku: SkuPath, store: Store) -> Stock:
    stock = await run_blocking(store.get_stock, sku)
    if stock is None:
        raise StockNotFound([sku])
    return stock


@router.get(
    "/availability",
    tags=["stock"],
    summary="Available stock of several skus",
    responses=PROBLEMS.responses(StockNotFound),
)
async def availability(
    store: Store,
    sku: Annotated[
        list[Annotated[str, Query(pattern=SKU_PATTERN)]],
        Query(min_length=1, max_length=MAX_AVAILABILITY_SKUS),
    ],
) -> AvailabilityList:
    skus = unique_skus(sku)
    stock = await run_blocking(store.stock_levels, skus)
    unknown = [s for s in skus if s not in stock]
    if unknown:
        raise StockNotFound(unknown)
    return AvailabilityList(items=[Availability(sku=s, available=stock[s].available) for s in skus])


@router.post(
    "/reservations",
    tags=["reservations"],
    status_code=201,
    summary="Reserve stock for an order (all lines or none; idempotent per order id)",
    responses={
        200: {"description": "The same request was served before", "model": Reservation},
        **PROBLEMS.responses(
            UnknownSkus, InsufficientStock, ReservationMismatch, ReservationReleased, Contended
        ),
    },
)
async def reserve(
    body: Annotated[ReservationIn, Body()], store: Store, request: Request, response: Response
) -> Reservation:
    reservation, created = await run_blocking(store.reserve, body, now=_now())
    response.status_code = 201 if created else 200
    response.headers["Location"] = location(request, "get_reservation", order_id=reservation.order_id)
    return reservation


@router.get(
    "/reservations/{order_id}",
    tags=["reservations"],
    name="get_reservation",
    responses=PROBLEMS.responses(ReservationNotFound),
)
async def get_reservation(order_id: OrderIdPath, store: Store) -> Reservation:
    reservation = await run_blocking(store.get_reservation, order_id)
    if reservation is None:
        raise ReservationNotFound(order_id)
    return reservation


@router.post(
    "/reservations/{order_id}/release",
    tags=["reservations"],
    summary="Give a reservation's stock back (idempotent)",
    responses=PROBLEMS.responses(ReservationNotFound, ReservationCommitted, Contended),
)
async def release(order_id: OrderIdPath, store: Store) -> Reservation:
    return await run_blocking(store.release, order_id, now=_now())
