"""Helpers of the order-flow tests of `make dev` (tests/e2e/test_devstack.py): place orders over HTTP
and wait, bounded, for the saga to settle them."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx

from devtools.devstack.payment_sandbox.__main__ import DEFAULT_PORT as SANDBOX_PORT
from devtools.devstack.payment_sandbox.config import DEFAULT_API_KEY
from e2e.devstack import OFFSET

SANDBOX = f"http://127.0.0.1:{SANDBOX_PORT + OFFSET}"  # the payment sandbox of a stack on OFFSET
TERMINAL = {"CONFIRMED", "CANCELLED"}
DEADLINE_S = 90.0  # a bound on waiting for the saga, never an assertion on its speed


def stocked_sku(apps: dict[str, str], available: int) -> str:
    sku = f"E2E-{uuid.uuid4().hex[:10].upper()}"
    product = {
        "sku": sku,
        "name": "Flow test",
        "price": {"amount": 1250, "currency": "EUR"},
        "category": "e2e",
    }
    assert httpx.post(f"{apps['catalog']}/products", json=product, timeout=10).status_code == 201
    assert (
        httpx.put(f"{apps['inventory']}/stock/{sku}", json={"available": available}, timeout=10).status_code
        == 200
    )
    return sku


def place(apps: dict[str, str], sku: str, quantity: int, payment_token: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {
        "customer_id": f"e2e-{uuid.uuid4().hex[:8]}",
        "contact_email": "flow@example.com",
        "lines": [{"sku": sku, "quantity": quantity}],
        "channel": "web",
    }
    if payment_token is not None:
        body["payment_token"] = payment_token
    placed = httpx.post(f"{apps['orders']}/orders", json=body, timeout=10)
    assert placed.status_code == 201, placed.text
    return placed


def settled(apps: dict[str, str], order_id: str, bound_s: float = DEADLINE_S) -> dict[str, Any]:
    deadline = time.monotonic() + bound_s
    while time.monotonic() < deadline:
        order: dict[str, Any] = httpx.get(f"{apps['orders']}/orders/{order_id}", timeout=10).json()
        if order["status"] in TERMINAL:
            return order
        time.sleep(0.5)
    raise AssertionError(f"order {order_id} still {order['status']} after {bound_s:.0f} s")


def timeline_types(apps: dict[str, str], order_id: str, expected: int) -> list[str]:
    deadline = time.monotonic() + DEADLINE_S
    types: list[str] = []
    while time.monotonic() < deadline:
        answer = httpx.get(f"{apps['orders']}/orders/{order_id}/timeline", timeout=10)
        types = [step["type"] for step in answer.json().get("steps", [])] if answer.status_code == 200 else []
        if len(types) >= expected:
            return types
        time.sleep(0.5)
    return types


def sent(apps: dict[str, str], order_id: str, expected: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + DEADLINE_S
    items: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        items = httpx.get(f"{apps['notifications']}/notifications/{order_id}", timeout=10).json()["items"]
        if len(items) >= expected:
            return items
        time.sleep(0.5)
    return items


def stock_of(apps: dict[str, str], sku: str) -> tuple[int, int]:
    """(available, reserved) of `sku`."""
    stock = httpx.get(f"{apps['inventory']}/stock/{sku}", timeout=10).json()
    return stock["available"], stock["reserved"]


def settled_stock(apps: dict[str, str], sku: str, expected: tuple[int, int]) -> tuple[int, int]:
    """The stock of `sku` once it reads `expected`, or what it reads at the bound."""
    deadline = time.monotonic() + DEADLINE_S
    while (seen := stock_of(apps, sku)) != expected and time.monotonic() < deadline:
        time.sleep(0.5)
    return seen


def charges(order_id: str, key: str = DEFAULT_API_KEY) -> list[dict[str, Any]]:
    """The sandbox's charges of the order (succeeded and declined), asked with API key `key`."""
    return _listed("charges", order_id, key)


def refunds(order_id: str, key: str = DEFAULT_API_KEY) -> list[dict[str, Any]]:
    """The sandbox's refunds of the order's charges, asked with API key `key`."""
    return _listed("refunds", order_id, key)


def _listed(kind: str, order_id: str, key: str) -> list[dict[str, Any]]:
    answer = httpx.get(
        f"{SANDBOX}/v1/{kind}",
        params={"metadata[order_id]": order_id, "limit": "100"},
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    data: list[dict[str, Any]] = answer.json()["data"]
    return data
