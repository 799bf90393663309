"""GET /payments/{order_id} through the real app against the emulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from foyer.errors import MEDIA_TYPE
from foyer.events import Envelope
from services.payments import deps
from services.payments.app import app
from services.payments.charging import Charger
from services.payments.store import PaymentsStore

pytestmark = pytest.mark.integration


@pytest.fixture
def client(store: PaymentsStore) -> Iterator[TestClient]:
    app.dependency_overrides[deps.get_store] = lambda: store
    with TestClient(app) as test_client:
        yield test_client
    app.dependency_overrides.clear()


def test_a_settled_payment_is_served(
    client: TestClient, charger: Charger, stock_reserved: Callable[..., Envelope]
) -> None:
    event = stock_reserved()
    order_id = event.data["order_id"]
    charger.on_stock_reserved(event)
    response = client.get(f"/payments/{order_id}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert {k: body[k] for k in ("order_id", "amount", "status", "attempts")} == {
        "order_id": order_id,
        "amount": {"amount": 4430, "currency": "EUR"},
        "status": "authorized",
        "attempts": 1,
    }
    assert body["charge_id"].startswith("ch_")
    assert body["created_at"] <= body["settled_at"]


def test_an_order_without_a_payment_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/payments/never-charged")
    assert response.status_code == 404
    assert response.headers["content-type"] == MEDIA_TYPE
    problem = response.json()
    assert problem["type"] == "urn:foyer:problem:payment-not-found"
    assert "never-charged" in problem["detail"]


def test_an_order_id_that_cannot_be_one_is_a_422_problem(client: TestClient) -> None:
    response = client.get("/payments/" + "x" * 65)
    assert response.status_code == 422
    assert response.headers["content-type"] == MEDIA_TYPE


def test_the_404_is_documented(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/payments/{order_id}"]["get"]
    assert "404" in operation["responses"]
