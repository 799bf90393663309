"""The mobile BFF: the web's journeys with only the fields the app shows, ETags on reads (304 when
unchanged), and apps older than the configured minimum refused with 426 (every route)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field

from bff.mobile.caching import NOT_MODIFIED, conditional
from bff.mobile.deps import Budget, CurrentUser, ServicesDep, supported_app
from bff.mobile.problems import PROBLEMS
from bff.mobile.versions import AppTooOld
from bff.shared import journeys
from bff.shared.inputs import (
    CATEGORY_PATTERN,
    ID_PATTERN,
    MAX_PAGE,
    SKU_PATTERN,
    CheckoutIn,
    RequiredIdempotencyKey,
)
from bff.shared.journeys import Shelf
from bff.shared.models import ORDER_PLACED, REPLAYED_HEADER, Money, Order, Product
from bff.shared.problems import OrderNotFound, ProductNotFound
from foyer.identity import IdentityUnavailable, Unauthenticated
from foyer.routing import location
from foyer.upstream import UpstreamTimeout, UpstreamUnavailable

router = APIRouter(tags=["mobile"], dependencies=[Depends(supported_app)])
FEATURED = 8
BASE = PROBLEMS.responses(AppTooOld, UpstreamUnavailable, UpstreamTimeout)
READ = {**NOT_MODIFIED, **BASE}
SIGNED_IN = PROBLEMS.responses(
    Unauthenticated, IdentityUnavailable, AppTooOld, UpstreamUnavailable, UpstreamTimeout
)
Degraded = Annotated[list[str], Field(description="Parts left out because their service failed or was slow")]


class Tile(BaseModel):
    sku: str
    name: str
    price: Money
    image: str | None
    available: int | None = Field(description="Units in stock; null when availability is degraded")


class Home(BaseModel):
    featured: list[Tile]
    degraded: Degraded


class Tiles(BaseModel):
    items: list[Tile]
    next_cursor: str | None = None
    degraded: Degraded


class ProductScreen(BaseModel):
    sku: str
    name: str
    description: str
    price: Money
    images: list[str]
    available: int | None
    degraded: Degraded


class OrderRow(BaseModel):
    order_id: str
    status: str
    total: Money
    items: int = Field(description="Units ordered, all lines together")
    created_at: datetime


class OrderRows(BaseModel):
    items: list[OrderRow]
    next_cursor: str | None = None


class LineRow(BaseModel):
    sku: str
    name: str
    quantity: int
    line_total: Money


class Step(BaseModel):
    type: str
    at: datetime


class OrderScreen(BaseModel):
    order_id: str
    status: str
    cancel_reason: str | None
    total: Money
    lines: list[LineRow]
    created_at: datetime
    steps: list[Step] | None
    payment_status: str | None
    degraded: Degraded


def _tile(product: Product, shelf: Shelf) -> Tile:
    image = product.image_urls[0] if product.image_urls else None
    return Tile(
        sku=product.sku,
        name=product.name,
        price=product.price,
        image=image,
        available=shelf.available(product.sku),
    )


def _row(order: Order) -> OrderRow:
    units = sum(line.quantity for line in order.lines)
    return OrderRow(
        order_id=order.order_id,
        status=order.status,
        total=order.total,
        items=units,
        created_at=order.created_at,
    )


@router.get("/home", summary="Featured products", response_model=Home, responses=READ)
async def home(request: Request, services: ServicesDep, deadline: Budget) -> Response:
    shelf = await journeys.shelf(services, deadline, limit=FEATURED)
    return conditional(
        request, Home(featured=[_tile(p, shelf) for p in shelf.products], degraded=shelf.degraded)
    )


@router.get(
    "/categories/{category}/products",
    summary="A category's products, a page at a time",
    response_model=Tiles,
    responses=READ,
)
async def list_category(
    request: Request,
    services: ServicesDep,
    deadline: Budget,
    category: Annotated[str, Path(pattern=CATEGORY_PATTERN)],
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> Response:
    shelf = await journeys.shelf(services, deadline, category=category, limit=limit, cursor=cursor)
    tiles = Tiles(
        items=[_tile(p, shelf) for p in shelf.products],
        next_cursor=shelf.next_cursor,
        degraded=shelf.degraded,
    )
    return conditional(request, tiles)


@router.get(
    "/products/{sku}",
    summary="A product screen",
    response_model=ProductScreen,
    responses={
        **NOT_MODIFIED,
        **PROBLEMS.responses(ProductNotFound, AppTooOld, UpstreamUnavailable, UpstreamTimeout),
    },
)
async def product_screen(
    request: Request, services: ServicesDep, deadline: Budget, sku: Annotated[str, Path(pattern=SKU_PATTERN)]
) -> Response:
    shelf = await journeys.product(services, deadline, sku)
    product = shelf.products[0]
    screen = ProductScreen(
        sku=product.sku,
        name=product.name,
        description=product.description,
        price=product.price,
        images=product.image_urls,
        available=shelf.available(sku),
        degraded=shelf.degraded,
    )
    return conditional(request, screen)


@router.post(
    "/checkout",
    status_code=201,
    summary="Place the signed-in customer's order (Idempotency-Key required)",
    responses={**ORDER_PLACED, **SIGNED_IN},
)
async def checkout(
    request: Request,
    body: Annotated[CheckoutIn, Body()],
    user: CurrentUser,
    services: ServicesDep,
    deadline: Budget,
    response: Response,
    idempotency_key: RequiredIdempotencyKey,
) -> OrderRow:
    placed = await journeys.place(
        services,
        deadline,
        channel="mobile",
        user_id=user.user_id,
        checkout=body,
        idempotency_key=idempotency_key,
    )
    response.headers["Location"] = location(request, "my_order", order_id=placed.order.order_id)
    if placed.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return _row(placed.order)


@router.get(
    "/me/orders",
    summary="The signed-in customer's orders, newest first",
    response_model=OrderRows,
    responses={**NOT_MODIFIED, **SIGNED_IN},
)
async def my_orders(
    request: Request,
    user: CurrentUser,
    services: ServicesDep,
    deadline: Budget,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> Response:
    page = await journeys.orders(services, deadline, user.user_id, limit=limit, cursor=cursor)
    return conditional(request, OrderRows(items=[_row(o) for o in page.items], next_cursor=page.next_cursor))


@router.get(
    "/me/orders/{order_id}",
    summary="One of the signed-in customer's orders",
    response_model=OrderScreen,
    responses={
        **NOT_MODIFIED,
        **PROBLEMS.responses(
            OrderNotFound,
            Unauthenticated,
            IdentityUnavailable,
            AppTooOld,
            UpstreamUnavailable,
            UpstreamTimeout,
        ),
    },
)
async def my_order(
    request: Request,
    user: CurrentUser,
    services: ServicesDep,
    deadline: Budget,
    order_id: Annotated[str, Path(pattern=ID_PATTERN)],
) -> Response:
    view = await journeys.order(services, deadline, user.user_id, order_id)
    order = view.order
    screen = OrderScreen(
        order_id=order.order_id,
        status=order.status,
        cancel_reason=order.cancel_reason,
        total=order.total,
        lines=[LineRow(**line.model_dump(include=set(LineRow.model_fields))) for line in order.lines],
        created_at=order.created_at,
        steps=None if view.timeline is None else [Step(type=s.type, at=s.at) for s in view.timeline],
        payment_status=None if view.payment is None else view.payment.status,
        degraded=view.degraded,
    )
    return conditional(request, screen)
