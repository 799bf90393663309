"""Helpers shared by the service tests: API Gateway REST (v1) proxy events and fresh app caches.

The emulator and the tables come from the session `stack` fixture in tests/conftest.py.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from foyer import aws, settings

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
    """An API Gateway REST (v1) proxy event as Lambda receives it for `/{proxy+}`.

    On the execute-api URL `path` has no stage (`stage_in_path=False`); behind some custom domains
    and test consoles it does. `requestContext.path` always has it.
    """
    text = raw_body if raw_body is not None else (None if body is None else json.dumps(body))
    all_headers = {
        "Host": "abc123.execute-api.eu-west-1.amazonaws.com",
        "X-Forwarded-Proto": "https",
        "Accept": "application/json",
        **({"Content-Type": "application/json", "Content-Length": str(len(text.encode()))} if text else {}),
        **(headers or {}),
    }
    query = query or {}
    return {
        "resource": "/{proxy+}",
        "path": f"/{stage}{path}" if stage_in_path else path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/{stage}{path}",
            "stage": stage,
            "requestId": str(uuid.uuid4()),
            "accountId": "123456789012",
            "apiId": "abc123",
            "protocol": "HTTP/1.1",
            "identity": {"sourceIp": "203.0.113.10"},
        },
        "body": text,
        "isBase64Encoded": False,
    }


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
