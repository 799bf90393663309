"""Payments against the emulator and the provider's sandbox.

Its table is created here, so these tests need no Terraform apply, with what store.py and
foyer.events need of it: `pk`, the sparse GSI `outbox`, TTL on `expires_at`. The
sandbox runs in a thread, as in tests/services/payments/test_provider.py; `charger` charges through it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from devtools.devstack.payment_sandbox import DEFAULT_API_KEY, SandboxConfig
from devtools.devstack.payment_sandbox.server import RunningSandbox, in_thread
from foyer import aws
from foyer.dynamodb import Table
from foyer.events import Envelope, outbox, processed
from services.payments.charging import Charger
from services.payments.provider import PaymentProvider
from services.payments.store import PaymentsStore

HERE = Path(__file__).parent
MAX_FAILURES = 3


@pytest.fixture(scope="module")
def payments_table(stack: Any) -> Iterator[str]:
    name = f"payments-test-{uuid.uuid4().hex[:8]}"
    client = aws.client("dynamodb")
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": attribute, "AttributeType": "S"}
            for attribute in ("pk", outbox.PENDING_ATTRIBUTE, outbox.ORDER_ATTRIBUTE)
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": outbox.INDEX,
                "KeySchema": [
                    {"AttributeName": outbox.PENDING_ATTRIBUTE, "KeyType": "HASH"},
                    {"AttributeName": outbox.ORDER_ATTRIBUTE, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    client.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": processed.TTL_ATTRIBUTE}
    )
    yield name
    client.delete_table(TableName=name)


@pytest.fixture
def store(payments_table: str) -> PaymentsStore:
    return PaymentsStore(Table(payments_table))


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    """A fault-free sandbox (faults are scripted per test) that asks for no wait on a 429."""
    with in_thread(SandboxConfig(hang_ms=300, retry_after_s=0)) as running:
        yield running


class FixedKey:
    """The sandbox's key, never rotated (reading it from Secrets Manager is tested on its own)."""

    def value(self) -> SecretStr:
        return SecretStr(DEFAULT_API_KEY)

    def refresh(self) -> SecretStr:
        return self.value()


def provider(url: str, **options: Any) -> PaymentProvider:
    """A client that retries at once (no real waits: the sandbox's faults are scripted)."""
    options.setdefault("max_attempts", 2)
    return PaymentProvider(url, FixedKey(), sleep=lambda _: None, **options)


@pytest.fixture
def charger(store: PaymentsStore, sandbox: RunningSandbox) -> Charger:
    return Charger(store, provider(sandbox.url), default_source="tok_visa", max_failures=MAX_FAILURES)


@pytest.fixture
def stock_reserved() -> Callable[..., Envelope]:
    """The StockReserved fixture as a new event of a new order (`data` overrides its data)."""
    shape = json.loads((HERE / "stock_reserved.json").read_text())

    def make(**data: Any) -> Envelope:
        fresh = {"order_id": f"order-{uuid.uuid4().hex[:12]}", **data}
        return Envelope.model_validate({**shape, "id": str(uuid.uuid4()), "data": {**shape["data"], **fresh}})

    return make
