"""foyer.app.create_app: what every Foyer app is built with."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from opentelemetry import trace

from foyer.app import create_app


def test_fastapis_native_opentelemetry_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Foyer observes through logs, EMF and X-Ray; FastAPI's own OTel checks cost every request."""
    # A configured provider is what switches FastAPI's native telemetry on for a plain app.
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: trace.NoOpTracerProvider())
    assert FastAPI()._native_telemetry.enabled()
    assert not create_app("probe", title="probe")._native_telemetry.enabled()
    assert create_app("probe", title="probe", telemetry={"tracing": True})._native_telemetry.enabled()
