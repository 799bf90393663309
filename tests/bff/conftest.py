"""The BFFs in process against the real services (their ASGI apps wired to the session's emulator),
reached over HTTP through httpx's ASGI transport, one host per service.

Identity is bff-edge's (foyer.identity), tested there: here `current_user` and `current_partner`
are swapped for callers named by test headers, so that every route can be called as anyone.
A service can be made slow or down per test (`upstreams.slow("inventory", 1.0)`, `.down(...)`).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from bff.mobile import deps as mobile_deps
from bff.mobile.app import app as mobile_app
from bff.partner import deps as partner_deps
from bff.partner.app import app as partner_app
from bff.partner.settings import PartnerSettings
from bff.shared import Services
from bff.shared.calls import NAMES
from bff.web import deps as web_deps
from bff.web.app import app as web_app
from devtools.devstack.stack import LocalStack
from foyer.dynamodb import Table
from foyer.idempotency import IdempotencyStore
from foyer.identity import ApiKeyRefused, Partner, Unauthenticated, User
from foyer.identity.dependencies import current_partner, current_user
from foyer.upstream import Breakers
from services.orders import deps as orders_deps
from services.orders.catalog import Catalog
from tests.services.conftest import ServiceWiring, wire_services

USER_HEADER = "x-test-user"
PARTNER_HEADER = "x-test-partner"
APPS = {"web": web_app, "mobile": mobile_app, "partner": partner_app}
DEPS = {"web": web_deps, "mobile": mobile_deps, "partner": partner_deps}


async def test_user(request: Request) -> User:
    user_id = request.headers.get(USER_HEADER)
    if not user_id:
        raise Unauthenticated("Sign in: send 'Authorization: Bearer <token>'.", error="")
    return User(user_id=user_id)


async def test_partner(request: Request) -> Partner:
    partner_id = request.headers.get(PARTNER_HEADER)
    if not partner_id:
        raise ApiKeyRefused("Send your API key in the 'x-api-key' header.")
    return Partner(partner_id=partner_id, tier="test", api_key_id=f"key-{partner_id}")


@dataclass
class Fault:
    """What happens to calls to one service: a delay before it answers, or no answer at all."""

    delay_s: float = 0.0
    down: bool = False


@dataclass
class Upstreams(httpx.AsyncBaseTransport):
    """Routes each service's host to its ASGI app, through the faults a test sets."""

    apps: dict[str, FastAPI]
    faults: dict[str, Fault] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)

    def slow(self, name: str, delay_s: float) -> None:
        self.faults[name] = Fault(delay_s=delay_s)

    def down(self, name: str) -> None:
        self.faults[name] = Fault(down=True)

    def heal(self, name: str) -> None:
        self.faults.pop(name, None)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        name = request.url.host
        self.calls[name] = self.calls.get(name, 0) + 1
        fault = self.faults.get(name, Fault())
        if fault.down:
            raise httpx.ConnectError(f"{name} refused the connection", request=request)
        if fault.delay_s:
            await asyncio.sleep(fault.delay_s)
        return await httpx.ASGITransport(app=self.apps[name]).handle_async_request(request)


@pytest.fixture
def wired_services(stack: LocalStack) -> Iterator[dict[str, ServiceWiring]]:
    """Every service app wired to the session's stack for this test (overrides undone after)."""
    wired = wire_services(stack)
    yield wired
    for wiring in wired.values():
        wiring.app.dependency_overrides.clear()


@pytest.fixture
def upstreams(wired_services: dict[str, ServiceWiring]) -> Iterator[Upstreams]:
    apps = {name: wired_services[name].app for name in NAMES}
    transport = Upstreams(apps)
    # Orders prices through the catalog over HTTP, here in process too.
    catalog = Catalog(httpx.AsyncClient(transport=transport, base_url="http://catalog"))
    apps["orders"].dependency_overrides[orders_deps.get_catalog] = lambda: catalog
    return transport


@dataclass
class Wiring:
    services: Services
    breakers: Breakers
    clients: dict[str, TestClient]


def wire(
    stack: LocalStack, transport: Upstreams, *, budget_s: float, threshold: int, reset_s: float
) -> Wiring:
    """Every BFF's dependencies overridden: services through `transport`, test identities, the
    partner's idempotency records in its Terraform table."""
    breakers = Breakers(threshold=threshold, reset_s=reset_s)
    client = httpx.AsyncClient(transport=transport)
    services = Services({name: f"http://{name}" for name in NAMES}, breakers=breakers, client=client)
    partner_settings = PartnerSettings(table_name=stack.tables["partner"], budget_s=budget_s)
    store = IdempotencyStore(Table(partner_settings.table_name))
    for name, app in APPS.items():
        deps: Any = DEPS[name]
        settings = deps.get_settings.__wrapped__() if name != "partner" else partner_settings
        settings = settings.model_copy(update={"budget_s": budget_s})
        app.dependency_overrides.update(
            {
                deps.get_settings: lambda settings=settings: settings,
                deps.get_services: lambda: services,
                current_user: test_user,
                current_partner: test_partner,
            }
        )
    partner_app.dependency_overrides[partner_deps.get_idempotency_store] = lambda: store
    return Wiring(services, breakers, {name: TestClient(app) for name, app in APPS.items()})


@pytest.fixture
def bffs(stack: LocalStack, upstreams: Upstreams) -> Iterator[Wiring]:
    """The three BFFs over the real services, with a 2.5 s budget and a breaker after 5 failures."""
    yield wire(stack, upstreams, budget_s=2.5, threshold=5, reset_s=10.0)
    for app in APPS.values():
        app.dependency_overrides.clear()


@pytest.fixture
def catalog_items(wired_services: Any) -> dict[str, str]:
    """Three products of a fresh category; two with stock (5 and 0), one with none recorded."""
    catalog = TestClient(wired_services["catalog"].app)
    inventory = TestClient(wired_services["inventory"].app)
    category = f"c-{uuid.uuid4().hex[:8]}"
    skus = {}
    for role, amount, stock in (("coffee", 1890, 5), ("tea", 650, 0), ("mug", 1200, None)):
        sku = f"B-{uuid.uuid4().hex[:10].upper()}"
        body = {
            "sku": sku,
            "name": role.title(),
            "price": {"amount": amount, "currency": "EUR"},
            "category": category,
        }
        assert catalog.post("/products", json=body).status_code == 201
        if stock is not None:
            assert inventory.put(f"/stock/{sku}", json={"available": stock}).status_code == 200
        skus[role] = sku
    skus["category"] = category
    return skus
