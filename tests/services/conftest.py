"""Helpers shared by the service tests: API Gateway REST (v1) proxy events and apps wired to the stack.

The emulator and the tables come from the session `stack` fixture in tests/conftest.py.
"""

from __future__ import annotations

import base64
import importlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI

from devtools.devstack import apigateway
from devtools.devstack.stack import LocalStack

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
    """devtools.devstack.apigateway's REST proxy event, with `body` sent as JSON (or `raw_body` as it is)."""
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


@dataclass
class ServiceWiring:
    """One service's app with its store pointed at the session's stack (through dependency overrides)."""

    app: FastAPI
    store: Any


def wire_services(stack: LocalStack) -> dict[str, ServiceWiring]:
    """For every service Terraform declares: fresh settings and store, swapped in by overrides."""
    wired = {}
    for name, function in stack.functions.items():
        package = function.asgi_app.removesuffix(".app:app")
        if not package.startswith("services."):
            continue
        deps = importlib.import_module(f"{package}.deps")
        app = importlib.import_module(f"{package}.app").app
        settings = deps.get_settings.__wrapped__()  # read now, from the stack's environment
        store = deps.build_store(settings)
        app.dependency_overrides[deps.get_settings] = lambda settings=settings: settings
        app.dependency_overrides[deps.get_store] = lambda store=store: store
        wired[name] = ServiceWiring(app, store)
    return wired


@pytest.fixture
def wired_services(stack: LocalStack) -> Iterator[dict[str, ServiceWiring]]:
    """Every service app wired to the session's stack for this test (overrides undone after)."""
    wired = wire_services(stack)
    yield wired
    for wiring in wired.values():
        wiring.app.dependency_overrides.clear()


@pytest.fixture
def services_stack(stack: LocalStack, wired_services: dict[str, ServiceWiring]) -> LocalStack:
    """The session's stack, with every service app wired to it."""
    return stack


@pytest.fixture
def service_stores(wired_services: dict[str, ServiceWiring]) -> dict[str, Any]:
    """Each service's store, as its app uses it in this test."""
    return {name: wiring.store for name, wiring in wired_services.items()}
