"""Where payments finds the provider and its key."""

from __future__ import annotations

import pytest

from services.payments.settings import PaymentsSettings


def settings(**values: object) -> PaymentsSettings:
    return PaymentsSettings.model_validate({"table_name": "payments", **values})


def test_the_provider_url_is_the_setting_or_the_stacks_sandbox() -> None:
    assert settings(PAYMENT_PROVIDER_URL="https://api.example").provider_url == "https://api.example"
    assert (
        settings(service_urls={"payment-provider": "http://127.0.0.1:9"}).provider_url == "http://127.0.0.1:9"
    )


def test_without_a_provider_url_or_secret_charging_cannot_be_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FOYER_STACK_FILE", "/nonexistent/stack.json")
    for name in ("PAYMENT_PROVIDER_URL", "PAYMENT_PROVIDER_SECRET_ARN", "FOYER_SERVICE_URLS"):
        monkeypatch.delenv(name, raising=False)
    bare = settings()
    with pytest.raises(LookupError, match="PAYMENT_PROVIDER_URL"):
        _ = bare.provider_url
    with pytest.raises(LookupError, match="PAYMENT_PROVIDER_SECRET_ARN"):
        _ = bare.provider_secret
