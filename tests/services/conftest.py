"""Helpers shared by the service tests: API Gateway REST (v1) proxy events and fresh app caches.

The emulator and the tables come from the session `stack` fixture in tests/conftest.py.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from foyer import aws, settings
from foyer.devstack import apigateway

Event = dict[str, Any]


def rest_event(
    method: str,
    path: str,
    *,
    stage: str = "dev",
    stage_in_path: bool = False,
    body: Any = None,
    raw_body: str | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, list[str]] | None = None,
) -> Event:
    """foyer.devstack.apigateway's REST proxy event, with `body` sent as JSON (or `raw_body` as it is)."""
    text = raw_body if raw_body is not None else (None if body is None else json.dumps(body))
    content = {"Content-Type": "application/json", "Content-Length": str(len(text.encode()))} if text else {}
    return apigateway.rest_event(
        method,
        path,
        stage=stage,
        stage_in_path=stage_in_path,
        headers={"Accept": "application/json", **content, **(headers or {})},
        query=query,
        body=text,
    )


@dataclass
class LambdaResponse:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def invoke(handler: Callable[[Event, Any], dict[str, Any]], event: Event) -> LambdaResponse:
    result = handler(event, None)
    body = result.get("body") or ""
    if result.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
    return LambdaResponse(result["statusCode"], headers, body)


@pytest.fixture(scope="session")
def lambda_events() -> Any:
    """`lambda_events.rest_event(...)` and `lambda_events.invoke(handler, event)`."""

    class Helpers:
        rest_event = staticmethod(rest_event)
        invoke = staticmethod(invoke)

    return Helpers


def point_apps_at_stack(endpoint: str) -> None:
    """Forget every cached setting, store and client so the apps read the current environment."""
    from services.catalog import api as catalog_api
    from services.catalog import settings as catalog_settings
    from services.inventory import api as inventory_api
    from services.inventory import settings as inventory_settings

    for fn in (
        catalog_settings.get_settings,
        catalog_api.get_store,
        inventory_settings.get_settings,
        inventory_api.get_store,
        settings.read_stack_file,
    ):
        fn.cache_clear()
    if settings.platform().aws_endpoint_url != endpoint:
        settings.platform.cache_clear()
        aws.reset()


@pytest.fixture
def services_stack(stack: Any) -> Any:
    """The session's stack, with the service apps' caches cleared for this test."""
    point_apps_at_stack(stack.endpoint)
    return stack
