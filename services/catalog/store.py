"""Products in DynamoDB: one item per sku, listed by category through the `by-category` index."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from foyer.dynamodb import Condition, ConditionFailed, Table
from services.catalog.domain import (
    Precondition,
    PreconditionFailed,
    Product,
    ProductExists,
    ProductNotFound,
    timestamp,
)

CATEGORY_INDEX = "by-category"
# The keys a page can end on: the table's for a scan, the table's plus the index's for a query.
SCAN_KEYS = frozenset({"sku"})
CATEGORY_KEYS = frozenset({"category", "sku"})


class CatalogStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, sku: str) -> Product | None:
        item = self.table.get({"sku": sku}, consistent=True)
        return Product.model_validate(item) if item else None

    def create(self, product: Product) -> None:
        try:
            self.table.put(product.to_item(), condition=Condition("attribute_not_exists(sku)"))
        except ConditionFailed as exc:
            raise ProductExists(product.sku) from exc

    def update(
        self, sku: str, changes: Mapping[str, Any], *, now: datetime, precondition: Precondition | None = None
    ) -> Product:
        """Apply `changes` and bump the version, only if the product exists (and meets `precondition`).

        Raises ProductNotFound, or PreconditionFailed when a precondition was set and does not hold.
        """
        if precondition is not None and precondition.versions == frozenset():
            # Only weak tags: they never match strongly, so nothing is written.
            raise PreconditionFailed(sku, self._version(sku))
        names = {"#updated_at": "updated_at", "#version": "version", "#sku": "sku"}
        values: dict[str, Any] = {":now": timestamp(now), ":one": 1}
        sets = ["#updated_at = :now", "#version = #version + :one"]
        for i, (field, value) in enumerate(sorted(changes.items())):
            names[f"#f{i}"] = field
            values[f":f{i}"] = value
            sets.append(f"#f{i} = :f{i}")
        check = "attribute_exists(#sku)"
        if precondition is not None and precondition.versions is not None:
            placeholders = []
            for i, version in enumerate(sorted(precondition.versions)):
                values[f":v{i}"] = version
                placeholders.append(f":v{i}")
            check += f" AND #version IN ({', '.join(placeholders)})"
        # Names and values are shared by both expressions (DynamoDB requires every one to be used).
        update = Condition("SET " + ", ".join(sets), names, values)
        try:
            item = self.table.update({"sku": sku}, update, condition=Condition(check))
        except ConditionFailed as exc:
            # The failed write returns the item that beat it: no second read, which could race.
            current = None if exc.item is None else int(exc.item["version"])
            if precondition is not None:
                raise PreconditionFailed(sku, current) from exc
            raise ProductNotFound(sku) from exc
        return Product.model_validate(item)

    def _version(self, sku: str) -> int | None:
        current = self.get(sku)
        return None if current is None else current.version

    def list(
        self, *, category: str | None, limit: int, start: Mapping[str, Any] | None
    ) -> tuple[list[Product], dict[str, Any] | None]:
        """One page of products (by sku within a category) and the key to continue after, if any.

        Asks for one item more than the page so the last page has no cursor (no empty page after it).
        """
        if category is not None:
            page = self.table.query(
                Condition("#category = :category", {"#category": "category"}, {":category": category}),
                index=CATEGORY_INDEX,
                limit=limit + 1,
                start_key=start,
            )
            keys = CATEGORY_KEYS
        else:
            page = self.table.scan(limit=limit + 1, start_key=start)
            keys = SCAN_KEYS
        products = [Product.model_validate(item) for item in page.items]
        if len(products) > limit:
            last = page.items[limit - 1]
            return products[:limit], {k: last[k] for k in keys}
        # Fewer items than asked with a key: DynamoDB stopped at its 1 MB page size.
        return products, page.last_key
