"""The web BFF's pages: rich payloads, each aggregated from the services concurrently
(bff.shared.journeys). A part whose service failed is left out and named in `degraded`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request, Response
from pydantic import BaseModel, Field

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
from bff.shared.models import ORDER_PLACED, REPLAYED_HEADER, Order, Payment, Product, TimelineStep
from bff.shared.problems import OrderNotFound, ProductNotFound
from bff.web.deps import Budget, CurrentUser, ServicesDep
from bff.web.problems import PROBLEMS
from foyer.identity import IdentityUnavailable, Unauthenticated
from foyer.routing import location
from foyer.upstream import UpstreamTimeout, UpstreamUnavailable

router = APIRouter(tags=["web"])
FEATURED = 8
DEPENDENCY = PROBLEMS.responses(UpstreamUnavailable, UpstreamTimeout)
SIGNED_IN = PROBLEMS.responses(Unauthenticated, IdentityUnavailable, UpstreamUnavailable, UpstreamTimeout)
Degraded = Annotated[list[str], Field(description="Parts left out because their service failed or was slow")]


class ProductCard(Product):
    available: int | None = Field(description="Units in stock; null when availability is degraded")


class Home(BaseModel):
    featured: list[ProductCard]
    degraded: Degraded


class ProductList(BaseModel):
    items: list[ProductCard]
    next_cursor: str | None = None
    degraded: Degraded


class ProductDetail(BaseModel):
    product: Product
    available: int | None
    degraded: Degraded


class OrderList(BaseModel):
    items: list[Order]
    next_cursor: str | None = None


class OrderDetail(BaseModel):
    order: Order
    timeline: list[TimelineStep] | None
    payment: Payment | None = Field(description="Null before the order is charged, or when degraded")
    degraded: Degraded


def _cards(shelf: Shelf) -> list[ProductCard]:
    return [ProductCard(**p.model_dump(), available=shelf.available(p.sku)) for p in shelf.products]


@router.get("/home", summary="Featured products with their availability", responses=DEPENDENCY)
async def home(services: ServicesDep, deadline: Budget) -> Home:
    shelf = await journeys.shelf(services, deadline, limit=FEATURED)
    return Home(featured=_cards(shelf), degraded=shelf.degraded)


@router.get(
    "/categories/{category}/products", summary="A category's products, a page at a time", responses=DEPENDENCY
)
async def list_category(
    services: ServicesDep,
    deadline: Budget,
    category: Annotated[str, Path(pattern=CATEGORY_PATTERN)],
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> ProductList:
    shelf = await journeys.shelf(services, deadline, category=category, limit=limit, cursor=cursor)
    return ProductList(items=_cards(shelf), next_cursor=shelf.next_cursor, degraded=shelf.degraded)


@router.get(
    "/products/{sku}",
    summary="A product with its availability",
    responses=PROBLEMS.responses(ProductNotFound, UpstreamUnavailable, UpstreamTimeout),
)
async def product_detail(
    services: ServicesDep, deadline: Budget, sku: Annotated[str, Path(pattern=SKU_PATTERN)]
) -> ProductDetail:
    shelf = await journeys.product(services, deadline, sku)
    return ProductDetail(product=shelf.products[0], available=shelf.available(sku), degraded=shelf.degraded)


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
) -> Order:
    placed = await journeys.place(
        services,
        deadline,
        channel="web",
        user_id=user.user_id,
        checkout=body,
        idempotency_key=idempotency_key,
    )
    response.headers["Location"] = location(request, "my_order", order_id=placed.order.order_id)
    if placed.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return placed.order


@router.get("/me/orders", summary="The signed-in customer's orders, newest first", responses=SIGNED_IN)
async def my_orders(
    user: CurrentUser,
    services: ServicesDep,
    deadline: Budget,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> OrderList:
    page = await journeys.orders(services, deadline, user.user_id, limit=limit, cursor=cursor)
    return OrderList(items=page.items, next_cursor=page.next_cursor)


@router.get(
    "/me/orders/{order_id}",
    summary="One of the signed-in customer's orders, with its timeline and payment",
    responses=PROBLEMS.responses(
        OrderNotFound, Unauthenticated, IdentityUnavailable, UpstreamUnavailable, UpstreamTimeout
    ),
)
async def my_order(
    user: CurrentUser,
    services: ServicesDep,
    deadline: Budget,
    order_id: Annotated[str, Path(pattern=ID_PATTERN)],
) -> OrderDetail:
    view = await journeys.order(services, deadline, user.user_id, order_id)
    return OrderDetail(order=view.order, timeline=view.timeline, payment=view.payment, degraded=view.degraded)
