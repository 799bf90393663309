"""The catalog's HTTP API: validate, call the store, shape the response. No rules live here.

Routes are `async def` and call the blocking boto3 store directly: in Lambda one event is served at
a time, so nothing else waits on the event loop, and Mangum's thread hop for `def` routes costs
several times more per invocation.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request, Response
from pydantic import BaseModel
from pydantic.json_schema import SkipJsonSchema

from foyer import pagination
from foyer.dynamodb import Table
from foyer.errors import MEDIA_TYPE, BadRequest, Conflict, NotFound, Problem
from services.catalog import domain
from services.catalog.domain import (
    CATEGORY_PATTERN,
    IF_MATCH_PATTERN,
    SKU_PATTERN,
    Product,
    ProductExists,
    ProductIn,
    ProductNotFound,
    ProductPatch,
    VersionMismatch,
)
from services.catalog.settings import get_settings
from services.catalog.store import CATEGORY_KEYS, SCAN_KEYS, CatalogStore

router = APIRouter(tags=["products"])


class PreconditionFailed(Problem):
    status = 412


PRECONDITION_FAILED: dict[int | str, dict[str, Any]] = {
    412: {"description": "If-Match names another version", "content": {MEDIA_TYPE: {}}}
}


@cache
def get_store() -> CatalogStore:
    """The process-wide store (tests replace it with `app.dependency_overrides`)."""
    return CatalogStore(Table(get_settings().table_name))


Store = Annotated[CatalogStore, Depends(get_store)]
SkuPath = Annotated[str, Path(pattern=SKU_PATTERN)]


class ProductPage(BaseModel):
    items: list[Product]
    next_cursor: str | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def _location(request: Request, sku: str) -> str:
    return f"{request.scope.get('root_path', '')}{request.app.url_path_for('get_product', sku=sku)}"


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
        raise BadRequest("The cursor belongs to another listing.")
    products, last = store.list(category=category, limit=limit, start=start)
    return ProductPage(items=products, next_cursor=pagination.encode(last))


@router.get("/products/{sku}", summary="One product", name="get_product")
async def get_product(sku: SkuPath, store: Store, response: Response) -> Product:
    product = store.get(sku)
    if product is None:
        raise NotFound(f"No product has sku {sku}.")
    response.headers["ETag"] = domain.etag(product.version)
    return product


@router.post("/products", status_code=201, summary="Create a product")
async def create_product(
    body: Annotated[ProductIn, Body()], store: Store, request: Request, response: Response
) -> Product:
    product = domain.new_product(body, _now())
    try:
        store.create(product)
    except ProductExists as exc:
        raise Conflict(f"A product with sku {body.sku} already exists.", sku=body.sku) from exc
    response.headers["Location"] = _location(request, product.sku)
    response.headers["ETag"] = domain.etag(product.version)
    return product


@router.patch(
    "/products/{sku}",
    summary="Change some fields of a product",
    responses=PRECONDITION_FAILED,
)
async def update_product(
    sku: SkuPath,
    body: Annotated[ProductPatch, Body()],
    store: Store,
    response: Response,
    # The pattern is published, not enforced here: parse_if_match answers a bad tag with a 400.
    if_match: Annotated[
        str | SkipJsonSchema[None], Header(max_length=64, json_schema_extra={"pattern": IF_MATCH_PATTERN})
    ] = None,
) -> Product:
    try:
        expected = domain.parse_if_match(if_match)
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    try:
        product = store.update(sku, body.changes(), now=_now(), expected_version=expected)
    except ProductNotFound as exc:
        raise NotFound(f"No product has sku {sku}.") from exc
    except VersionMismatch as exc:
        raise PreconditionFailed(
            f"Product {sku} is at version {exc.current}, not {exc.expected}.",
            current_version=exc.current,
        ) from exc
    response.headers["ETag"] = domain.etag(product.version)
    return product
