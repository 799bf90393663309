"""services.orders.deps: the catalog's address from FOYER_SERVICE_URLS, and signed calls in AWS."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from foyer.signing import SigV4
from services.orders import deps


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Orders' environment as Terraform sets it in a cloud environment (no stack file there)."""
    monkeypatch.setenv("FOYER_STACK_FILE", str(tmp_path / "absent.json"))
    monkeypatch.setenv(
        "FOYER_SERVICE_URLS", json.dumps({"catalog": "https://catalog.lambda-url.eu-west-1.on.aws/"})
    )
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("TABLE_NAME", "foyer-dev-orders")


def connected_client(monkeypatch: pytest.MonkeyPatch, settings: deps.OrdersSettings) -> httpx.AsyncClient:
    monkeypatch.setattr(deps, "get_settings", lambda: settings)
    return deps.get_catalog.__wrapped__().client


def test_in_the_cloud_the_catalog_client_signs_its_calls(
    cloud: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOYER_SIGN_SERVICE_CALLS", "true")
    client = connected_client(monkeypatch, deps.OrdersSettings())
    assert str(client.base_url) == "https://catalog.lambda-url.eu-west-1.on.aws/"
    auth = client.auth
    assert isinstance(auth, SigV4)
    assert (auth.service, auth.region) == ("lambda", "eu-west-1")


def test_without_the_setting_the_catalog_client_does_not_sign(
    cloud: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FOYER_SIGN_SERVICE_CALLS", raising=False)
    monkeypatch.delenv("BFF_SIGN_SERVICE_CALLS", raising=False)
    client = connected_client(monkeypatch, deps.OrdersSettings())
    assert not isinstance(client.auth, SigV4)
