"""The catalog app as a hostile client tries it: what foyer.app answers for every app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.catalog.app import app

pytestmark = pytest.mark.integration


@pytest.fixture
def client(services_stack: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def test_a_trailing_slash_does_not_redirect_to_the_host_header(client: TestClient) -> None:
    response = client.get("/products/", headers={"Host": "evil.example"}, follow_redirects=False)
    assert response.status_code == 404
    assert "location" not in response.headers


def test_delete_of_a_product_lists_both_methods_it_serves(client: TestClient) -> None:
    response = client.delete("/products/COF-001")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PATCH"


def test_a_bad_patch_names_fields_only(client: TestClient) -> None:
    body = {"name": "", "price": {"amount": "x"}, "image_urls": ["http://images.example/a.jpg"]}
    response = client.patch("/products/COF-001", json=body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["loc"] for e in errors] == [
        ["body", "name"],
        ["body", "price", "amount"],
        ["body", "price", "currency"],
        ["body", "image_urls", 0],
    ]
    assert "Input should be None" not in json.dumps(errors)


def test_a_patch_that_repeats_a_key_is_refused(client: TestClient) -> None:
    response = client.patch(
        "/products/COF-001",
        content='{"name": "Cheap", "name": "Dear"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["key"] == "name"
