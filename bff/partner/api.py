"""The partner API, version 1: a stable contract (its own models, never the services'), examples in
the OpenAPI, 503/504 problems when a dependency fails (a partner's integration retries; it has no
use for half an answer), and a partner only ever sees its own orders (anyone else's is a 404).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from bff.partner.deps import Budget, CurrentPartner, Once, ServicesDep, Settings
from bff.partner.problems import PROBLEMS
from bff.shared.inputs import ID_PATTERN, MAX_PAGE, SKU_PATTERN, Lines
from bff.shared.models import ORDER_PLACED, Money, Order, Product
from bff.shared.problems import OrderNotFound, ProductNotFound
from foyer.idempotency import KeyReused, RequestInFlight
from foyer.identity import ApiKeyRefused, OverUsagePlan
from foyer.routing import location
from foyer.upstream import UpstreamTimeout, UpstreamUnavailable

router = APIRouter(prefix="/v1", tags=["partner v1"])
DEPENDENCY = PROBLEMS.responses(UpstreamUnavailable, UpstreamTimeout)
ACCESS = PROBLEMS.responses(ApiKeyRefused, OverUsagePlan)
MAX_AVAILABILITY_SKUS = 100
# The sku list as the schema states it, so that a generated client and the edge refuse what we refuse.
SKU_LIST_PATTERN = f"^{SKU_PATTERN[1:-1]}(,{SKU_PATTERN[1:-1]}){{0,{MAX_AVAILABILITY_SKUS - 1}}}$"
EXAMPLE_PRICE: dict[str, JsonValue] = {"amount": 1299, "currency": "EUR"}


class PartnerProduct(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sku": "COF-001",
                    "name": "House espresso beans 1 kg",
                    "description": "Dark roast.",
                    "price": EXAMPLE_PRICE,
                    "category": "coffee",
                    "image_urls": [],
                }
            ]
        }
    )

    sku: str
    name: str
    description: str
    price: Money
    category: str
    image_urls: list[str]


class ProductPage(BaseModel):
    items: list[PartnerProduct]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null on the last")


class Availability(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"sku": "COF-001", "available": 42}]})

    sku: str
    available: int


class AvailabilityList(BaseModel):
    items: list[Availability]


class OrderIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"lines": [{"sku": "COF-001", "quantity": 2}], "reference": "PO-1001"}]
        },
    )

    lines: Lines
    reference: str | None = Field(
        None,
        max_length=64,
        pattern=r"^[\x20-\x7e]*$",
        description="Your own reference (up to 64 printable ASCII characters), kept with the order",
    )


class PartnerLine(BaseModel):
    sku: str
    name: str
    quantity: int
    unit_price: Money
    line_total: Money


class PartnerOrder(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "order_id": "5f0c3e1b2a7d4c1e9b8a6f4d3c2b1a09",
                    "status": "PENDING",
                    "cancel_reason": None,
                    "lines": [
                        {
                            "sku": "COF-001",
                            "name": "House espresso beans 1 kg",
                            "quantity": 2,
                            "unit_price": EXAMPLE_PRICE,
                            "line_total": {"amount": 2598, "currency": "EUR"},
                        }
                    ],
                    "total": {"amount": 2598, "currency": "EUR"},
                    "reference": "PO-1001",
                    "created_at": "2026-11-27T14:00:00Z",
                    "updated_at": "2026-11-27T14:00:00Z",
                }
            ]
        }
    )

    order_id: str
    status: str = Field(description="PENDING, RESERVED, CONFIRMED or CANCELLED")
    cancel_reason: str | None = Field(description="Why a CANCELLED order was cancelled")
    lines: list[PartnerLine]
    total: Money
    reference: str | None = Field(None, description="The reference you gave when placing the order")
    created_at: datetime
    updated_at: datetime


class OrderPage(BaseModel):
    items: list[PartnerOrder]
    next_cursor: str | None = None


def _product(product: Product) -> PartnerProduct:
    return PartnerProduct(**product.model_dump(include=set(PartnerProduct.model_fields)))


def _order(order: Order) -> PartnerOrder:
    return PartnerOrder(
        order_id=order.order_id,
        status=order.status,
        cancel_reason=order.cancel_reason,
        lines=[PartnerLine(**line.model_dump()) for line in order.lines],
        total=order.total,
        reference=order.reference,
        created_at=order.created_at,
        updated_at=order.updated_at,
    )


@router.get("/products", summary="List products, a page at a time", responses={**ACCESS, **DEPENDENCY})
async def list_products(
    partner: CurrentPartner,
    services: ServicesDep,
    deadline: Budget,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> ProductPage:
    page = await services.products(deadline, limit=limit, cursor=cursor)
    return ProductPage(items=[_product(p) for p in page.items], next_cursor=page.next_cursor)


@router.get(
    "/products/{sku}",
    summary="One product",
    responses={**ACCESS, **PROBLEMS.responses(ProductNotFound, UpstreamUnavailable, UpstreamTimeout)},
)
async def get_product(
    partner: CurrentPartner,
    services: ServicesDep,
    deadline: Budget,
    sku: Annotated[str, Path(pattern=SKU_PATTERN)],
) -> PartnerProduct:
    found = await services.product(deadline, sku)
    if found is None:
        raise ProductNotFound(sku)
    return _product(found)


@router.get(
    "/availability",
    summary="Units available of each sku (comma-separated)",
    responses={**ACCESS, **DEPENDENCY},
)
async def get_availability(
    partner: CurrentPartner,
    services: ServicesDep,
    deadline: Budget,
    skus: Annotated[
        str,
        Query(
            pattern=SKU_LIST_PATTERN,
            max_length=MAX_AVAILABILITY_SKUS * 41 - 1,
            description=f"1 to {MAX_AVAILABILITY_SKUS} skus, separated by commas (no spaces)",
            examples=["COF-001,BRE-005"],
        ),
    ],
) -> AvailabilityList:
    wanted = skus.split(",")
    stock = await services.availability(deadline, wanted)
    return AvailabilityList(items=[Availability(sku=sku, available=units) for sku, units in stock.items()])


@router.post(
    "/orders",
    status_code=201,
    summary="Place an order (Idempotency-Key required)",
    response_model=PartnerOrder,
    responses={
        **ORDER_PLACED,
        **ACCESS,
        **PROBLEMS.responses(KeyReused, RequestInFlight, UpstreamUnavailable, UpstreamTimeout),
    },
)
async def place_order(
    request: Request,
    partner: CurrentPartner,
    body: Annotated[OrderIn, Body()],
    once: Once,
    services: ServicesDep,
    deadline: Budget,
    settings: Settings,
) -> Response:
    if once.replay is not None:
        return once.replay
    order = {
        "customer_id": partner.partner_id,
        "contact_email": f"{partner.partner_id}@{settings.partner_email_domain}",
        "channel": "partner",
        "partner_id": partner.partner_id,
        "lines": [line.model_dump() for line in body.lines],
        **({} if body.reference is None else {"reference": body.reference}),
    }
    # The orders service gets a key of its own (scoped to the partner), so a retry after this process
    # died between the two writes still places one order.
    key = request.headers["idempotency-key"]
    placed = (
        await services.place_order(deadline, order, idempotency_key=f"partner:{partner.partner_id}:{key}")
    ).order
    answer = JSONResponse(
        _order(placed).model_dump(mode="json"),
        status_code=201,
        headers={"Location": location(request, "get_order", order_id=placed.order_id)},
    )
    return await once.complete(answer)


def _owned(order: Order | None, partner_id: str) -> bool:
    return order is not None and order.partner_id == partner_id


@router.get(
    "/orders/{order_id}",
    summary="One of your orders",
    responses={**ACCESS, **PROBLEMS.responses(OrderNotFound, UpstreamUnavailable, UpstreamTimeout)},
)
async def get_order(
    partner: CurrentPartner,
    services: ServicesDep,
    deadline: Budget,
    order_id: Annotated[str, Path(pattern=ID_PATTERN)],
) -> PartnerOrder:
    found = await services.order(deadline, order_id)
    if found is None or not _owned(found, partner.partner_id):
        raise OrderNotFound(order_id)
    return _order(found)


@router.get(
    "/orders", summary="Your orders, newest first, a page at a time", responses={**ACCESS, **DEPENDENCY}
)
async def list_orders(
    partner: CurrentPartner,
    services: ServicesDep,
    deadline: Budget,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> OrderPage:
    page = await services.orders_of(deadline, partner_id=partner.partner_id, limit=limit, cursor=cursor)
    items = [_order(o) for o in page.items if _owned(o, partner.partner_id)]
    return OrderPage(items=items, next_cursor=page.next_cursor)
