"""The customer journeys web and mobile share, aggregated once and shaped by each BFF.

Stock, an order's timeline and its payment are optional parts (named in `degraded` when their
service fails); the catalog and the order itself are required.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bff.shared.calls import Services
from bff.shared.inputs import CheckoutIn
from bff.shared.models import Order, OrderPage, Payment, Placed, Product, TimelineStep
from bff.shared.problems import OrderNotFound, ProductNotFound
from foyer.identity.principals import customer_id
from foyer.upstream import Deadline, Optional, UpstreamUnavailable, gather_parts

log = logging.getLogger("bff.shared")


@dataclass(frozen=True)
class Shelf:
    """Products with their stock (None: availability degraded)."""

    products: list[Product]
    stock: dict[str, int] | None
    next_cursor: str | None = None
    degraded: list[str] = field(default_factory=list)

    def available(self, sku: str) -> int | None:
        return None if self.stock is None else self.stock.get(sku, 0)


@dataclass(frozen=True)
class OrderView:
    order: Order
    timeline: list[TimelineStep] | None
    payment: Payment | None
    degraded: list[str]


def owned_by(order: Order | None, user_id: str) -> bool:
    """True for an order the user (`user_id`, the token's subject) placed through web or mobile (a
    partner's order never is)."""
    return order is not None and order.customer_id == customer_id(user_id) and order.partner_id is None


async def shelf(
    services: Services,
    deadline: Deadline,
    *,
    category: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> Shelf:
    """A page of products (of `category`) with their stock."""
    page = await services.products(deadline, category=category, limit=limit, cursor=cursor)
    parts = await gather_parts(stock=Optional(services.availability(deadline, [p.sku for p in page.items])))
    return Shelf(page.items, parts.get("stock"), page.next_cursor, parts.degraded and ["availability"])


async def product(services: Services, deadline: Deadline, sku: str) -> Shelf:
    """One product with its stock, both asked at once; ProductNotFound when the catalog has none."""
    parts = await gather_parts(
        product=services.product(deadline, sku), stock=Optional(services.availability(deadline, [sku]))
    )
    found = parts["product"]
    if found is None:
        raise ProductNotFound(sku)
    return Shelf([found], parts.get("stock"), None, parts.degraded and ["availability"])


async def place(
    services: Services,
    deadline: Deadline,
    *,
    channel: str,
    user_id: str,
    checkout: CheckoutIn,
    idempotency_key: str,
) -> Placed:
    """The user's order placed once per key (the key is scoped to channel and user)."""
    customer = customer_id(user_id)  # whatever the subject's shape, an id the orders service accepts
    order = {
        "customer_id": customer,
        "contact_email": checkout.contact_email,
        "channel": channel,
        "lines": [line.model_dump() for line in checkout.lines],
    }
    return await services.place_order(
        deadline, order, idempotency_key=f"{channel}:{customer}:{idempotency_key}"
    )


async def orders(
    services: Services, deadline: Deadline, user_id: str, *, limit: int, cursor: str | None
) -> OrderPage:
    """The user's own orders, newest first.

    Orders lists a customer's own orders only, and builds the page's cursor from its last item: a page
    holding anyone else's order is refused whole, since its cursor may name that order.
    """
    page = await services.orders_of(deadline, customer_id=customer_id(user_id), limit=limit, cursor=cursor)
    if not all(owned_by(o, user_id) for o in page.items):
        log.error("orders listed another customer's or a partner's order to a customer")
        raise UpstreamUnavailable("orders", "listed orders of someone else")
    return page


async def order(services: Services, deadline: Deadline, user_id: str, order_id: str) -> OrderView:
    """One of the user's orders with its timeline and payment; OrderNotFound for anyone else's."""
    # All three at once: the ownership check waits for the order; the other two are dropped if it fails.
    parts = await gather_parts(
        order=services.order(deadline, order_id),
        timeline=Optional(services.timeline(deadline, order_id)),
        payment=Optional(services.payment(deadline, order_id)),
    )
    found = parts["order"]
    if found is None or not owned_by(found, user_id):
        raise OrderNotFound(order_id)
    return OrderView(found, parts.get("timeline"), parts.get("payment"), parts.degraded)
