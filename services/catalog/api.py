"""The catalog's HTTP API: parse the request, call the store, shape the answer.

Routes call the blocking store through `run_blocking`: inline in Lambda (one event at a time), in a
worker thread under uvicorn, so one slow call never holds up the others. Domain failures become
problems through services/catalog/problems.py; no route maps an error itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Header, Path, Query, Request, Response
from pydantic import BaseModel
from pydantic.json_schema import SkipJsonSchema

from foyer import pagination
from foyer.blocking import run_blocking
from foyer.conditional import IF_MATCH_PATTERN, etag, parse_if_match
from foyer.errors import BadRequest
from foyer.routing import location
from services.catalog.deps import Store
from services.catalog.domain import (
    CATEGORY_PATTERN,
    SKU_PATTERN,
    Precondition,
    PreconditionFailed,
    Product,
    ProductExists,
    ProductIn,
    ProductNotFound,
    ProductPatch,
    new_product,
)
from services.catalog.problems import PROBLEMS
from services.catalog.store import CATEGORY_KEYS, SCAN_KEYS

router = APIRouter(tags=["products"])

SkuPath = Annotated[str, Path(pattern=SKU_PATTERN)]


class ProductPage(BaseModel):
    items: list[Product]
    next_cursor: str | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def _precondition(if_match: str | None) -> Precondition | None:
    try:
        parsed = parse_if_match(if_match)
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    return None if parsed is None else Precondition(parsed.versions)


@router.get("/products", summary="List products, optionally of one category")
async def list_products(
    store: Store,
    category: Annotated[str | None, Query(pattern=CATEGORY_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> ProductPage:
    keys = CATEGORY_KEYS if category is not None else SCAN_KEYS
    start = pagination.decode(cursor, allowed_keys=keys)
    # A cursor must continue the listing it came from: same keys, same category.
    if start is not None and (
        set(start) != keys
        or not all(isinstance(v, str) for v in start.values())
        or (category is not None and start["category"] != category)
    ):
        raise pagination.InvalidCursor("The cursor belongs to another listing.")
    products, last = await run_blocking(store.list, category=category, limit=limit, start=start)
    return ProductPage(items=products, next_cursor=pagination.encode(last))


@router.get(
    "/products/{sku}",
    summary="One product",
    name="get_product",
    responses=PROBLEMS.responses(ProductNotFound),
)
async def get_product(sku: SkuPath, store: Store, response: Response) -> Product:
    product = await run_blocking(store.get, sku)
    if product is None:
        raise ProductNotFound(sku)
    response.headers["ETag"] = etag(product.version)
    return product


@router.post(
    "/products", status_code=201, summary="Create a product", responses=PROBLEMS.responses(ProductExists)
)
async def create_product(
    body: Annotated[ProductIn, Body()], store: Store, request: Request, response: Response
) -> Product:
    product = new_product(body, _now())
    await run_blocking(store.create, product)
    response.headers["Location"] = location(request, "get_product", sku=product.sku)
    response.headers["ETag"] = etag(product.version)
    return product


@router.patch(
    "/products/{sku}",
    summary="Change some fields of a product",
    responses=PROBLEMS.responses(ProductNotFound, PreconditionFailed),
)
async def update_product(
    sku: SkuPath,
    body: Annotated[ProductPatch, Body()],
    store: Store,
    response: Response,
    # The pattern is published, not enforced here: _precondition answers a malformed tag with a 400.
    if_match: Annotated[
        str | SkipJsonSchema[None], Header(max_length=1024, json_schema_extra={"pattern": IF_MATCH_PATTERN})
    ] = None,
) -> Product:
    product = await run_blocking(
        store.update, sku, body.changes(), now=_now(), precondition=_precondition(if_match)
    )
    response.headers["ETag"] = etag(product.version)
    return product
