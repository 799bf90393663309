"""foyer.rest_event: Mangum's REST (v1) scope, with foyer's path rules (stage, root_path)."""

from __future__ import annotations

from typing import Any

import pytest
from mangum.adapter import DEFAULT_TEXT_MIME_TYPES
from mangum.handlers import APIGateway, HTTPGateway
from mangum.types import LambdaConfig

from devtools.devstack.apigateway import rest_event
from foyer.errors import MEDIA_TYPE
from foyer.rest_event import RestApiEvent, public_prefix, strip_stage

NO_CONTEXT: Any = None  # what the handlers keep, not read

CONFIG = LambdaConfig(
    api_gateway_base_path="/", text_mime_types=[*DEFAULT_TEXT_MIME_TYPES, MEDIA_TYPE], exclude_headers=[]
)


def _unstaged(event: dict[str, Any]) -> dict[str, Any]:
    """`event` as Mangum reads it without a prefix to move: the client's path is the app's path."""
    return {**event, "requestContext": {**event["requestContext"], "path": event["path"]}}


EVENTS = {
    "get": rest_event("GET", "/products/9", request_id="r-1"),
    "root": rest_event("GET", "/"),
    "query": rest_event("GET", "/products", query={"tag": ["a", "b"], "q": ["x y&z"]}),
    "escaped path": rest_event("GET", "/products/a%20b%2Fc"),
    "json body": rest_event("POST", "/orders", headers={"Content-Type": "application/json"}, body='{"a": 1}'),
    "binary body": rest_event(
        "PUT", "/images/1", headers={"Content-Type": "image/png"}, body=b"\x89PNG\x00\xff"
    ),
    "host with port": rest_event("GET", "/x", headers={"Host": "localhost:8080"}),
    "mixed-case names": rest_event("GET", "/x", headers={"X-Correlation-ID": "abc", "aCCept": "*/*"}),
    "no headers": {**rest_event("GET", "/x"), "headers": None, "multiValueHeaders": None},
    "no client ip": {
        **rest_event("GET", "/x"),
        "requestContext": {**rest_event("GET", "/x")["requestContext"], "identity": {}},
    },
}


def _repeated_header() -> dict[str, Any]:
    event = rest_event("GET", "/x", headers={"Accept": "text/html"})
    event["multiValueHeaders"]["Accept"] = ["text/html", "application/json"]
    return event


EVENTS["repeated header"] = _repeated_header()


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_the_scope_and_body_are_mangums(name: str) -> None:
    event = _unstaged(EVENTS[name])
    assert RestApiEvent.infer(event, NO_CONTEXT, CONFIG)
    ours, theirs = RestApiEvent(event, NO_CONTEXT, CONFIG), APIGateway(event, NO_CONTEXT, CONFIG)
    assert ours.scope == theirs.scope
    assert ours.body == theirs.body


@pytest.mark.parametrize("stage_in_path", [False, True])
def test_the_stage_becomes_the_root_path(stage_in_path: bool) -> None:
    scope = RestApiEvent(
        rest_event("GET", "/products/9", stage_in_path=stage_in_path), NO_CONTEXT, CONFIG
    ).scope
    assert (scope["root_path"], scope["path"]) == ("/dev", "/dev/products/9")


def test_a_custom_domain_base_path_becomes_the_root_path() -> None:
    event = rest_event("GET", "/products/9")
    event["requestContext"]["path"] = "/v1/shop/products/9"
    scope = RestApiEvent(event, NO_CONTEXT, CONFIG).scope
    assert (scope["root_path"], scope["path"]) == ("/v1/shop", "/v1/shop/products/9")


def test_http_api_events_are_not_rest_events() -> None:
    event = {**rest_event("GET", "/x"), "version": "1.0"}  # HTTP API payload 1.0 also has `resource`
    assert not RestApiEvent.infer(event, NO_CONTEXT, CONFIG)
    assert HTTPGateway.infer(event, NO_CONTEXT, CONFIG)
    assert not RestApiEvent.infer({"Records": []}, NO_CONTEXT, CONFIG)


@pytest.mark.parametrize(
    ("path", "stage", "expected"),
    [
        ("/dev/products/9", "dev", "/products/9"),
        ("/products/9", "dev", "/products/9"),
        ("/devices", "dev", "/devices"),
        ("/dev/devices", "dev", "/devices"),
        ("/dev", "dev", "/"),
        ("/dev/", "dev", "/"),
        ("/products/9", "prod", "/products/9"),
        ("/prod/products/9", "prod", "/products/9"),
        ("/prod/prod/x", "prod", "/prod/x"),
        ("/products", None, "/products"),
        ("", "dev", "/"),
    ],
)
def test_strip_stage(path: str, stage: str | None, expected: str) -> None:
    assert strip_stage(path, stage) == expected


@pytest.mark.parametrize(
    ("public", "app_path", "expected"),
    [
        ("/dev/products/9", "/products/9", "/dev"),
        ("/v1/shop/products/9", "/products/9", "/v1/shop"),  # custom domain base path mapping
        ("/products/9", "/products/9", ""),
        ("/dev", "/", "/dev"),
        ("/dev/", "/", "/dev"),
        ("/", "/", ""),
        (None, "/products", ""),
        ("/other/thing", "/products", ""),  # not a tail: leave the scope alone
    ],
)
def test_public_prefix(public: str | None, app_path: str, expected: str) -> None:
    assert public_prefix(public, app_path) == expected


# --------------------------------------------------------------------------- requests and responses
