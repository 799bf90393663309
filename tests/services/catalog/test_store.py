"""The catalog store against the emulator: a refused update is explained by the item that beat it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

import pytest

from foyer import aws
from foyer.dynamodb import Table
from services.catalog.domain import Precondition, PreconditionFailed, ProductIn, ProductNotFound, new_product
from services.catalog.store import CatalogStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

pytestmark = pytest.mark.integration

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


class RecordingClient:
    """The real client, with the name of every operation called on it written down."""

    def __init__(self, real: DynamoDBClient) -> None:
        self.real = real
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        found = getattr(self.real, name)
        if callable(found):
            self.calls.append(name)
        return found


@pytest.fixture
def recorded(stack: Any) -> tuple[CatalogStore, RecordingClient]:
    client = RecordingClient(aws.client("dynamodb"))
    table = Table(stack.tables["catalog"], client=cast("DynamoDBClient", client))
    return CatalogStore(table), client


def stored_product(store: CatalogStore) -> str:
    sku = f"S-{uuid.uuid4().hex[:12].upper()}"
    body = ProductIn.model_validate(
        {"sku": sku, "name": "Tea", "price": {"amount": 450, "currency": "EUR"}, "category": "tea"}
    )
    store.create(new_product(body, NOW))
    return sku


def test_a_stale_version_is_reported_from_the_refused_write(
    recorded: tuple[CatalogStore, RecordingClient],
) -> None:
    store, client = recorded
    sku = stored_product(store)
    at_one = Precondition(frozenset({1}))
    store.update(sku, {"name": "Green tea"}, now=NOW, precondition=at_one)
    client.calls.clear()
    with pytest.raises(PreconditionFailed) as caught:
        store.update(sku, {"name": "Black tea"}, now=NOW, precondition=at_one)
    assert caught.value.current == 2
    assert client.calls == ["update_item"]  # no second read that could race with another writer


def test_a_missing_product_is_reported_from_the_refused_write(
    recorded: tuple[CatalogStore, RecordingClient],
) -> None:
    store, client = recorded
    with pytest.raises(ProductNotFound):
        store.update("S-NOT-THERE", {"name": "Ghost"}, now=NOW)
    with pytest.raises(PreconditionFailed) as caught:
        store.update("S-NOT-THERE", {"name": "Ghost"}, now=NOW, precondition=Precondition())
    assert caught.value.current is None
    assert client.calls == ["update_item", "update_item"]
