"""The reaction the consumer framework dispatches, wired as a function is: from its environment, with
the provider's API key read from Secrets Manager (the environment holds only the secret's ARN)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest

from devtools.devstack.payment_sandbox import SandboxConfig
from devtools.devstack.payment_sandbox.server import in_thread
from foyer import aws
from foyer.contracts import OrderCancelled, StockReserved
from foyer.events import Consumer, Envelope
from services.payments import consumers
from services.payments.consumers import ROUTES, on_order_cancelled, on_stock_reserved
from services.payments.domain import Status

pytestmark = pytest.mark.integration


def _forget_wiring() -> None:
    consumers.get_charger.cache_clear()


@pytest.fixture
def function_environment(
    payments_table: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., None]]:
    """Sets a payments function's environment (as Terraform would) and rebuilds the process's wiring."""

    def configure(**env: str) -> None:
        for name, value in {"FOYER_SERVICE": "payments", "TABLE_NAME": payments_table, **env}.items():
            monkeypatch.setenv(name, value)
        _forget_wiring()

    yield configure
    _forget_wiring()


def test_the_framework_dispatches_stock_reserved_version_1_to_the_charge() -> None:
    assert {StockReserved: on_stock_reserved, OrderCancelled: on_order_cancelled} == ROUTES
    assert Consumer(ROUTES).accepted == {"StockReserved": {1}, "OrderCancelled": {1}}


def test_the_api_key_is_read_from_secrets_manager(
    function_environment: Callable[..., None], stock_reserved: Callable[..., Envelope]
) -> None:
    key = f"sk_test_payments_{uuid.uuid4().hex}"
    arn = aws.client("secretsmanager").create_secret(
        Name=f"payments/provider-{uuid.uuid4().hex[:8]}", SecretString=key
    )["ARN"]
    # The sandbox holds only the secret's value: an authorized charge proves the key was read.
    with in_thread(SandboxConfig(api_keys=frozenset({key}))) as running:
        function_environment(PAYMENT_PROVIDER_URL=running.url, PAYMENT_PROVIDER_SECRET_ARN=arn)
        assert key not in os.environ.values()
        event = stock_reserved()
        ROUTES[StockReserved](event)
        charges = running.state.ledger.of_order(event.data["order_id"])
    payment = consumers.get_charger().store.get(event.data["order_id"])
    assert payment is not None
    assert payment.status is Status.AUTHORIZED
    assert [payment.charge_id] == [charge["id"] for charge in charges]
