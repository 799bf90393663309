"""A checkout retried with its Idempotency-Key is told it is a replay, in every BFF that places orders."""

from __future__ import annotations

import uuid

import pytest

from tests.bff.conftest import USER_HEADER, Wiring

pytestmark = pytest.mark.integration

APP = {"X-App-Version": "1.4.0"}  # what the mobile version gate asks for; web ignores it


@pytest.mark.parametrize("bff", ["web", "mobile"])
def test_a_repeated_checkout_says_it_was_replayed(
    bffs: Wiring, catalog_items: dict[str, str], bff: str
) -> None:
    client = bffs.clients[bff]
    headers = {USER_HEADER: f"u-{uuid.uuid4().hex[:8]}", "Idempotency-Key": str(uuid.uuid4()), **APP}
    body = {"contact_email": "ada@example.com", "lines": [{"sku": catalog_items["coffee"], "quantity": 1}]}
    first = client.post("/checkout", json=body, headers=headers)
    again = client.post("/checkout", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert "idempotent-replayed" not in first.headers
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["order_id"] == first.json()["order_id"]
