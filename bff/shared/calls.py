"""One method per service call a BFF makes, each within the request's Deadline."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from bff.shared.models import (
    REPLAYED_HEADER,
    Order,
    OrderPage,
    Payment,
    Placed,
    Product,
    ProductPage,
    TimelineStep,
)
from bff.shared.relay import for_the_client, refusal_summary, relayed
from foyer.upstream import Breakers, Deadline, Upstream, UpstreamRefused, UpstreamUnavailable
from foyer.upstream.client import shared_client

M = TypeVar("M", bound=BaseModel)
# The services a BFF calls, by the names the stack file and FOYER_SERVICE_URLS use.
NAMES = ("catalog", "inventory", "orders", "payments")
# Where a service the BFF never calls "answers": in AWS its FOYER_SERVICE_URLS and its role hold
# only the services it calls, and .invalid never resolves (RFC 2606), so a stray call fails loudly.
NOT_CALLED = "https://not-called.invalid"
log = logging.getLogger("bff.shared")


def _segment(value: str) -> str:
    return quote(value, safe="")


def _read(upstream: Upstream, response: httpx.Response, model: type[M]) -> M:
    try:
        return model.model_validate_json(response.content)
    except ValidationError:
        raise UpstreamUnavailable(
            upstream.name, f"answered {response.status_code} without a usable body"
        ) from None


def _answer(upstream: Upstream, response: httpx.Response, model: type[M], *, ok: int = 200) -> M | None:
    """The body of an `ok` answer; None for a 404; a problem the service declares for its callers is
    relayed to the client; any other 4xx is a refusal of the request we built (UpstreamRefused)."""
    status = response.status_code
    if status == ok:
        return _read(upstream, response, model)
    if status == 404:
        return None
    if 400 <= status < 500:
        if for_the_client(response):
            raise relayed(response)
        log.error("%s refused a request this service built", upstream.name, extra=refusal_summary(response))
        raise UpstreamRefused(upstream.name, status)
    raise UpstreamUnavailable(upstream.name, f"answered {status}")


class Services:
    """The BFF's dependencies, one Upstream each (one breaker each, one shared client)."""

    def __init__(
        self,
        urls: Mapping[str, str],
        *,
        breakers: Breakers,
        client: httpx.AsyncClient | None = None,
        auth: httpx.Auth | None = None,
        calls: Iterable[str] = NAMES,
    ) -> None:
        """The upstreams at `urls`; every service in `calls` (those this BFF's routes call) needs one."""
        missing = [name for name in calls if name not in urls]
        if missing:
            raise LookupError(f"no URL for {', '.join(missing)}: set FOYER_SERVICE_URLS or run `make dev`")
        shared = client or shared_client()

        def upstream(name: str) -> Upstream:
            url = urls.get(name, NOT_CALLED)
            return Upstream(name, url, breakers=breakers, client=shared, auth=auth)

        self.catalog = upstream("catalog")
        self.inventory = upstream("inventory")
        self.orders = upstream("orders")
        self.payments = upstream("payments")

    # -- catalog ----------------------------------------------------------------------------------

    async def products(
        self, deadline: Deadline, *, category: str | None = None, limit: int = 20, cursor: str | None = None
    ) -> ProductPage:
        """A page of products (of `category`), as the catalog orders them."""
        params: dict[str, Any] = {"limit": limit}
        if category is not None:
            params["category"] = category
        if cursor is not None:
            params["cursor"] = cursor
        response = await self.catalog.get("/products", deadline, params=params)
        page = _answer(self.catalog, response, ProductPage)
        if page is None:
            raise UpstreamUnavailable(self.catalog.name, "answered 404 to a listing")
        return page

    async def product(self, deadline: Deadline, sku: str) -> Product | None:
        """The product `sku`, or None when the catalog has none."""
        response = await self.catalog.get(f"/products/{_segment(sku)}", deadline)
        return _answer(self.catalog, response, Product)

    # -- inventory --------------------------------------------------------------------------------

    async def availability(self, deadline: Deadline, skus: Iterable[str]) -> dict[str, int]:
        """Units available per sku; a sku without recorded stock has 0."""
        wanted = list(dict.fromkeys(skus))
        if not wanted:
            return {}
        response = await self.inventory.get("/availability", deadline, params={"sku": wanted})
        if response.status_code == 404:
            # Inventory refuses the whole list for one unknown sku; ask again for the others.
            unknown = set(_unknown_skus(response))
            known = [sku for sku in wanted if sku not in unknown]
            if not unknown or not known:
                return dict.fromkeys(wanted, 0)
            response = await self.inventory.get("/availability", deadline, params={"sku": known})
        listing = _answer(self.inventory, response, _Availability)
        found = {} if listing is None else {item.sku: item.available for item in listing.items}
        return {sku: found.get(sku, 0) for sku in wanted}

    # -- orders -----------------------------------------------------------------------------------

    async def place_order(
        self, deadline: Deadline, order: Mapping[str, Any], *, idempotency_key: str
    ) -> Placed:
        """The order placed (or the one this key already placed). The key makes a retry safe, so
        the write is retried like a read."""
        response = await self.orders.post(
            "/orders", deadline, json=dict(order), headers={"Idempotency-Key": idempotency_key}, retry=True
        )
        placed = _answer(self.orders, response, Order, ok=201)
        if placed is None:
            raise UpstreamUnavailable(self.orders.name, "answered 404 to an order")
        return Placed(placed, replayed=response.headers.get(REPLAYED_HEADER) == "true")

    async def order(self, deadline: Deadline, order_id: str) -> Order | None:
        response = await self.orders.get(f"/orders/{_segment(order_id)}", deadline)
        return _answer(self.orders, response, Order)

    async def orders_of(
        self,
        deadline: Deadline,
        *,
        customer_id: str | None = None,
        partner_id: str | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> OrderPage:
        """A customer's or a partner's orders, newest first."""
        params: dict[str, Any] = {"limit": limit}
        if customer_id is not None:
            params["customer_id"] = customer_id
        if partner_id is not None:
            params["partner_id"] = partner_id
        if cursor is not None:
            params["cursor"] = cursor
        page = _answer(self.orders, await self.orders.get("/orders", deadline, params=params), OrderPage)
        if page is None:
            raise UpstreamUnavailable(self.orders.name, "answered 404 to a listing")
        return page

    async def timeline(self, deadline: Deadline, order_id: str) -> list[TimelineStep]:
        """What happened to the order, step by step (empty before its first event is projected)."""
        response = await self.orders.get(f"/orders/{_segment(order_id)}/timeline", deadline)
        found = _answer(self.orders, response, _Timeline)
        return [] if found is None else found.steps

    # -- payments ---------------------------------------------------------------------------------

    async def payment(self, deadline: Deadline, order_id: str) -> Payment | None:
        """The order's settled payment, or None before it is charged."""
        response = await self.payments.get(f"/payments/{_segment(order_id)}", deadline)
        return _answer(self.payments, response, Payment)


class _AvailabilityItem(BaseModel):
    sku: str
    available: int


class _Availability(BaseModel):
    items: list[_AvailabilityItem]


class _Timeline(BaseModel):
    steps: list[TimelineStep]


def _unknown_skus(response: httpx.Response) -> list[str]:
    try:
        body = response.json()
    except ValueError:
        return []
    skus = body.get("unknown_skus") if isinstance(body, dict) else None
    return [s for s in skus if isinstance(s, str)] if isinstance(skus, list) else []
