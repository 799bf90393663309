"""foyer.service_api.relay: a service's problem answered again by a BFF, with its Retry-After and
none of the service's other headers."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from foyer.app import create_app
from foyer.errors import MEDIA_TYPE
from foyer.service_api.relay import relayed

IN_FLIGHT = {
    "type": "urn:foyer:problem:idempotency-request-in-flight",
    "title": "Request in progress",
    "status": 409,
    "detail": "The first request with this Idempotency-Key is still in progress; retry later.",
    "correlation_id": "the-services-own",
    "headers": "a member may bear any name",
}


def service_answer(headers: dict[str, str]) -> httpx.Response:
    """Orders' 409 for an Idempotency-Key in flight, with `headers`."""
    return httpx.Response(409, json=IN_FLIGHT, headers=headers)


def answered_again(response: httpx.Response) -> httpx.Response:
    """What a BFF's client gets when a route raises the relayed problem of `response`."""
    router = APIRouter()

    @router.post("/checkout")
    async def checkout() -> None:
        raise relayed(response)

    answer: httpx.Response = TestClient(create_app("bff", title="bff", routers=[router])).post("/checkout")
    return answer


def test_a_409_in_flight_keeps_its_retry_after() -> None:
    answer = answered_again(service_answer({"Retry-After": "3"}))
    assert (answer.status_code, answer.headers["content-type"]) == (409, MEDIA_TYPE)
    assert answer.headers["retry-after"] == "3"
    body = answer.json()
    assert (body["type"], body["headers"]) == (IN_FLIGHT["type"], "a member may bear any name")
    assert body["correlation_id"] != "the-services-own"


def test_only_retry_after_goes_along() -> None:
    service_headers = {
        "Retry-After": "Fri, 27 Nov 2026 18:00:00 GMT",
        "Set-Cookie": "session=the-service",
        "Location": "/orders/abc",
        "WWW-Authenticate": 'Bearer realm="orders"',
        "x-amzn-RequestId": "req-1",
        "x-correlation-id": "the-services-own",
    }
    answer = answered_again(service_answer(service_headers))
    assert answer.headers["retry-after"] == "Fri, 27 Nov 2026 18:00:00 GMT"
    for name in ("set-cookie", "location", "www-authenticate", "x-amzn-requestid"):
        assert name not in answer.headers, name
    assert answer.headers["x-correlation-id"] != "the-services-own"


@pytest.mark.parametrize("value", ["soon", "-1", "1.5", "99999999999", "3, 4", "Fri, 27 Nov 2026"])
def test_a_malformed_retry_after_is_dropped(value: str) -> None:
    assert relayed(service_answer({"Retry-After": value})).headers == {}


def test_a_body_that_is_no_problem_keeps_its_retry_after_too() -> None:
    problem = relayed(httpx.Response(429, text="slow down", headers={"Retry-After": "10"}))
    assert (problem.status, problem.headers) == (429, {"Retry-After": "10"})
