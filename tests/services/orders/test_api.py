"""Orders through the real app against the emulator, pricing through the real catalog app over HTTP.

Orders' table comes from tests/services/orders/conftest.py (Terraform does not declare it yet).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from foyer import pagination
from foyer.dynamodb import Table
from foyer.errors import MEDIA_TYPE
from services.catalog.app import app as catalog_app
from services.orders import deps
from services.orders.app import app
from services.orders.catalog import Catalog
from services.orders.store import CUSTOMER_KEYS, OrdersStore
from services.payments.provider import MAX_AMOUNT

pytestmark = pytest.mark.integration


class BrokenCatalog(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("catalog did not answer", request=request)


@pytest.fixture
def store(orders_table: str) -> OrdersStore:
    return OrdersStore(Table(orders_table))


@pytest.fixture
def client(store: OrdersStore, wired_services: Any) -> Iterator[TestClient]:
    # The catalog app wired to the emulator, reached over HTTP (in process) as orders reaches it.
    catalog = Catalog(
        httpx.AsyncClient(transport=httpx.ASGITransport(app=catalog_app), base_url="http://catalog")
    )
    app.dependency_overrides[deps.get_store] = lambda: store
    app.dependency_overrides[deps.get_catalog] = lambda: catalog
    with TestClient(app) as test_client:
        yield test_client
    app.dependency_overrides.clear()


@pytest.fixture
def products(wired_services: Any) -> dict[str, str]:
    """Two euro products and a dollar one in the catalog, by role."""
    catalog = TestClient(catalog_app)
    skus = {}
    for role, amount, currency in (("coffee", 1890, "EUR"), ("tea", 650, "EUR"), ("mug", 1200, "USD")):
        sku = f"O-{uuid.uuid4().hex[:10].upper()}"
        body = {
            "sku": sku,
            "name": role.title(),
            "price": {"amount": amount, "currency": currency},
            "category": "t",
        }
        assert catalog.post("/products", json=body).status_code == 201
        skus[role] = sku
    return skus


def order(products: dict[str, str], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "customer_id": f"cust-{uuid.uuid4().hex[:8]}",
        "contact_email": "ada@example.com",
        "channel": "web",
    }
    if "lines" not in overrides:
        body["lines"] = [{"sku": products["coffee"], "quantity": 2}, {"sku": products["tea"], "quantity": 1}]
    body.update(overrides)
    return body


def assert_problem(response: httpx.Response, status: int, slug: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == MEDIA_TYPE
    problem: dict[str, Any] = response.json()
    if slug is not None:
        assert problem["type"] == f"urn:foyer:problem:{slug}"
    return problem


def pending_events(store: OrdersStore) -> list[Any]:
    events, _ = store.outbox.pending(limit=100)
    return events


def test_an_order_is_placed_pending_priced_by_the_catalog_with_its_event(
    client: TestClient, store: OrdersStore, products: dict[str, str]
) -> None:
    created = client.post("/orders", json=order(products))
    assert created.status_code == 201, created.text
    placed = created.json()
    assert placed["status"] == "PENDING"
    assert placed["total"] == {"amount": 2 * 1890 + 650, "currency": "EUR"}
    assert created.headers["location"] == f"/orders/{placed['order_id']}"
    assert client.get(created.headers["location"]).json() == placed
    events = [e for e in pending_events(store) if e.data["order_id"] == placed["order_id"]]
    assert [(e.type, e.source, e.correlation_id) for e in events] == [
        ("OrderPlaced", "foyer.orders", created.headers["x-correlation-id"])
    ]
    assert events[0].data["lines"] == [
        {"sku": products["coffee"], "quantity": 2},
        {"sku": products["tea"], "quantity": 1},
    ]


def test_a_placement_the_sdk_sent_again_after_its_answer_was_lost_is_one_order(
    client: TestClient, store: OrdersStore, products: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # What botocore does when a TransactWriteItems commits but its answer times out: it sends the
    # same transaction again, whose condition (no order under this id) now fails.
    real_create = store.create

    def committed_then_retried(order: Any, placed: Any) -> None:
        real_create(order, placed)
        real_create(order, placed)

    monkeypatch.setattr(store, "create", committed_then_retried)
    created = client.post("/orders", json=order(products))
    assert created.status_code == 201, created.text
    order_id = created.json()["order_id"]
    assert client.get(f"/orders/{order_id}").json() == created.json()
    assert [e.type for e in pending_events(store) if e.data["order_id"] == order_id] == ["OrderPlaced"]


def test_an_idempotency_key_makes_the_call_safe_to_repeat(
    client: TestClient, store: OrdersStore, products: dict[str, str]
) -> None:
    body, key = order(products), {"Idempotency-Key": uuid.uuid4().hex}
    first = client.post("/orders", json=body, headers=key)
    again = client.post("/orders", json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    listed = client.get("/orders", params={"customer_id": body["customer_id"]}).json()["items"]
    assert [o["order_id"] for o in listed] == [first.json()["order_id"]]
    assert_problem(
        client.post("/orders", json={**body, "channel": "mobile"}, headers=key), 422, "idempotency-key-reused"
    )


@pytest.mark.parametrize(
    "change",
    [
        {"lines": [{"sku": "NO-SUCH-SKU", "quantity": 1}]},
        {"lines": "mixed"},
        {"lines": []},
        {"lines": [{"sku": "X-1X", "quantity": 0}]},
        {"total": {"amount": 1, "currency": "EUR"}},
        {"status": "CONFIRMED"},
        {"contact_email": "nobody"},
        {"reference": "x" * 65},
        {"reference": "PO\t1"},
    ],
)
def test_bad_orders_are_refused_and_store_nothing(
    client: TestClient, store: OrdersStore, products: dict[str, str], change: dict[str, Any]
) -> None:
    if change.get("lines") == "mixed":
        change = {
            "lines": [{"sku": products["coffee"], "quantity": 1}, {"sku": products["mug"], "quantity": 1}]
        }
    body = order(products, **change)
    before = len(pending_events(store))
    response = client.post("/orders", json=body)
    assert_problem(response, 422)
    assert client.get("/orders", params={"customer_id": body["customer_id"]}).json()["items"] == []
    assert len(pending_events(store)) == before


def test_an_unknown_sku_is_named(client: TestClient, products: dict[str, str]) -> None:
    lines = [{"sku": products["coffee"], "quantity": 1}, {"sku": "NO-SUCH-SKU", "quantity": 1}]
    problem = assert_problem(client.post("/orders", json=order(products, lines=lines)), 422, "unknown-skus")
    assert problem["unknown_skus"] == ["NO-SUCH-SKU"]


def test_a_catalog_that_does_not_answer_is_a_503_and_nothing_is_ordered(
    client: TestClient, products: dict[str, str]
) -> None:
    app.dependency_overrides[deps.get_catalog] = lambda: Catalog(
        httpx.AsyncClient(transport=BrokenCatalog(), base_url="http://catalog")
    )
    body = order(products)
    response = client.post("/orders", json=body)
    assert_problem(response, 503, "catalog-unavailable")
    assert response.headers["retry-after"] == "2"
    assert client.get("/orders", params={"customer_id": body["customer_id"]}).json()["items"] == []


def test_a_customers_orders_page_by_page_newest_first(client: TestClient, products: dict[str, str]) -> None:
    body = order(products)
    placed = [client.post("/orders", json=body).json()["order_id"] for _ in range(3)]
    first = client.get("/orders", params={"customer_id": body["customer_id"], "limit": 2}).json()
    second = client.get(
        "/orders", params={"customer_id": body["customer_id"], "limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert [o["order_id"] for o in first["items"] + second["items"]] == list(reversed(placed))
    assert second["next_cursor"] is None
    other = client.get("/orders", params={"customer_id": "someone-else", "cursor": first["next_cursor"]})
    assert_problem(other, 400, "invalid-cursor")  # typed: a BFF relays it to the client who sent it


@pytest.mark.parametrize("limit", [1, 2, 20])
def test_a_customer_listing_leaves_out_partner_orders_and_never_ends_on_one(
    client: TestClient, products: dict[str, str], limit: int
) -> None:
    """Under the partner's id as a customer id, a page holds none of the partner's orders, and its
    cursor names none of them: a cursor is built from the page's own last order only."""
    partner = f"p-{uuid.uuid4().hex[:8]}"
    for _ in range(3):
        client.post(
            "/orders", json=order(products, customer_id=partner, channel="partner", partner_id=partner)
        )
    page = client.get("/orders", params={"customer_id": partner, "limit": limit}).json()
    assert page == {"items": [], "next_cursor": None}
    own = client.post("/orders", json=order(products, customer_id=partner)).json()  # placed without a partner
    client.post("/orders", json=order(products, customer_id=partner, channel="partner", partner_id=partner))
    first = client.get("/orders", params={"customer_id": partner, "limit": 1}).json()
    assert [o["order_id"] for o in first["items"]] == [own["order_id"]]
    if first["next_cursor"] is not None:
        assert (
            pagination.decode(first["next_cursor"], allowed_keys=CUSTOMER_KEYS)["pk"]
            == f"order#{own['order_id']}"
        )
        rest = client.get(
            "/orders", params={"customer_id": partner, "limit": 1, "cursor": first["next_cursor"]}
        )
        assert rest.json() == {"items": [], "next_cursor": None}


def test_a_partner_sees_its_own_orders(client: TestClient, products: dict[str, str]) -> None:
    partner = f"p-{uuid.uuid4().hex[:8]}"
    mine = client.post("/orders", json=order(products, channel="partner", partner_id=partner)).json()
    client.post("/orders", json=order(products, channel="partner", partner_id=f"{partner}-x"))
    listed = client.get("/orders", params={"partner_id": partner}).json()["items"]
    assert [o["order_id"] for o in listed] == [mine["order_id"]]


def test_the_reference_is_stored_and_read_back_alone_and_in_lists(
    client: TestClient, products: dict[str, str]
) -> None:
    partner = f"p-{uuid.uuid4().hex[:8]}"
    body = order(products, channel="partner", partner_id=partner, reference="PO-1001 / rev 2")
    placed = client.post("/orders", json=body).json()
    assert placed["reference"] == "PO-1001 / rev 2"
    assert client.get(f"/orders/{placed['order_id']}").json()["reference"] == "PO-1001 / rev 2"
    listed = client.get("/orders", params={"partner_id": partner}).json()["items"]
    assert [o["reference"] for o in listed] == ["PO-1001 / rev 2"]
    without = client.post("/orders", json=order(products)).json()
    assert client.get(f"/orders/{without['order_id']}").json()["reference"] is None


@pytest.mark.parametrize("params", [{}, {"customer_id": "a", "partner_id": "b"}])
def test_a_listing_names_one_owner(client: TestClient, params: dict[str, str]) -> None:
    assert_problem(client.get("/orders", params=params), 400)


def test_a_total_above_the_largest_charge_is_refused_naming_the_limit(
    client: TestClient, store: OrdersStore, wired_services: Any
) -> None:
    sku = f"O-{uuid.uuid4().hex[:10].upper()}"
    priced = {"sku": sku, "name": "Gold", "price": {"amount": MAX_AMOUNT, "currency": "EUR"}, "category": "t"}
    assert TestClient(catalog_app).post("/products", json=priced).status_code == 201
    body = order({}, lines=[{"sku": sku, "quantity": 2}])

    problem = assert_problem(client.post("/orders", json=body), 422, "total-out-of-range")

    assert problem["total"] == {"amount": 2 * MAX_AMOUNT, "currency": "EUR"}
    assert problem["max_total"] == {"amount": MAX_AMOUNT, "currency": "EUR"}
    assert str(MAX_AMOUNT) in problem["detail"]
    assert client.get("/orders", params={"customer_id": body["customer_id"]}).json()["items"] == []
    # The largest charge itself is an order.
    one = client.post("/orders", json={**body, "lines": [{"sku": sku, "quantity": 1}]})
    assert one.status_code == 201, one.text
    assert one.json()["total"] == {"amount": MAX_AMOUNT, "currency": "EUR"}


def test_an_unknown_order_is_a_404_problem(client: TestClient) -> None:
    assert_problem(client.get("/orders/nope"), 404, "order-not-found")


def test_the_openapi_documents_the_problems_of_placing_an_order(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/orders"]["post"]
    assert {"409", "422", "503"} <= set(operation["responses"])
    assert json.dumps(operation).count("urn:foyer:problem:") >= 4


def test_the_timeline_projects_each_event_once_and_in_the_order_it_happened(
    client: TestClient, store: OrdersStore, products: dict[str, str]
) -> None:
    from datetime import timedelta

    from foyer.events import new_event
    from services.orders.domain import TimelineStep

    placed = client.post("/orders", json=order(products)).json()
    order_id, at = placed["order_id"], datetime.fromisoformat(placed["created_at"])
    assert_problem(client.get(f"/orders/{order_id}/timeline"), 404, "order-not-found")
    events = [
        new_event(
            "OrderConfirmed", {"order_id": order_id}, source="foyer.orders", now=at + timedelta(seconds=3)
        ),
        new_event("OrderPlaced", {"order_id": order_id}, source="foyer.orders", now=at),
        new_event(
            "StockReserved", {"order_id": order_id}, source="foyer.inventory", now=at + timedelta(seconds=1)
        ),
        new_event(
            "PaymentAuthorized",
            {"order_id": order_id, "charge_id": "ch_1"},
            source="foyer.payments",
            now=at + timedelta(seconds=2),
        ),
    ]
    for event in [*events, events[0], events[2]]:  # two of them delivered twice
        store.project(order_id, TimelineStep.of(event.id, event.type, event.time, event.data))
    answer = client.get(f"/orders/{order_id}/timeline")
    assert answer.status_code == 200, answer.text
    steps = answer.json()["steps"]
    assert [s["type"] for s in steps] == [
        "OrderPlaced",
        "StockReserved",
        "PaymentAuthorized",
        "OrderConfirmed",
    ]
    assert steps[2]["details"] == {"charge_id": "ch_1"}
