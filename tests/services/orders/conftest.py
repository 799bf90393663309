"""Orders' table for its tests, created here so they need no Terraform apply: the indexes store.py
documents (and the outbox index, stream and TTL every service table with events has)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from foyer.dynamodb import Table
from services.orders.store import CUSTOMER_INDEX, OPEN_ATTRIBUTE, OPEN_INDEX, PARTNER_INDEX


@pytest.fixture(scope="module")
def orders_table(service_tables: Callable[[Any], Table]) -> str:
    """A fresh orders table per test module (its name)."""
    return service_tables(
        {
            CUSTOMER_INDEX: ("customer_id", "listed_at"),
            PARTNER_INDEX: ("partner_id", "listed_at"),
            OPEN_INDEX: (OPEN_ATTRIBUTE, "listed_at"),
        }
    ).name
