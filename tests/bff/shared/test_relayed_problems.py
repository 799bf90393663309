"""bff.shared.relay: a service's problem answered again by a BFF, with its Retry-After and
none of the service's other headers; and only a problem the service declares for its callers, never
its refusal of the request the BFF built (that is the BFF's own 502)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from bff.shared import Services
from bff.shared.calls import NAMES
from bff.shared.problems import PROBLEMS
from bff.shared.relay import relayed
from foyer.app import create_app
from foyer.errors import MEDIA_TYPE
from foyer.upstream import Breakers, Deadline

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


# What a BFF relays at all: the problems a service declares for callers, never a refusal of its own request.

VALIDATION = {
    "type": "about:blank",
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "The request does not match the schema.",
    "errors": [
        {
            "loc": ["query", "customer_id"],
            "msg": "String should match pattern",
            "type": "string_pattern_mismatch",
        }
    ],
}


def _problem(status: int, detail: str, **members: object) -> httpx.Response:
    return httpx.Response(status, json={"type": "about:blank", "status": status, "detail": detail, **members})


REFUSALS = {
    "request validation": httpx.Response(422, json=VALIDATION),
    "body not JSON": _problem(400, "The request body is not valid JSON.", errors=VALIDATION["errors"]),
    "an untyped 400": _problem(400, "Give exactly one of customer_id and partner_id."),
    "a method not allowed": _problem(405, "Method Not Allowed"),
    "the function URL's IAM refusal": httpx.Response(
        403, json={"Message": "Forbidden. For troubleshooting..."}
    ),
    "a body that is no problem": httpx.Response(413, text="too large"),
    "a type that only looks like ours": httpx.Response(
        422, json={**VALIDATION, "type": "urn:foyer:problem:"}
    ),
}


def bff_answer(service: httpx.Response) -> httpx.Response:
    """What a BFF's client gets when orders answers `service` to the listing the BFF asks for."""
    transport = httpx.MockTransport(lambda request: service)
    services = Services(
        {name: f"http://{name}" for name in NAMES},
        breakers=Breakers(threshold=5, reset_s=10),
        client=httpx.AsyncClient(transport=transport),
    )
    router = APIRouter()

    @router.get("/me/orders")
    async def my_orders() -> Any:
        deadline = Deadline.after(2.0)
        return await services.orders_of(deadline, customer_id="u_x", limit=20)

    app = create_app("bff", title="bff", routers=[router], problems=PROBLEMS)
    answer: httpx.Response = TestClient(app).get("/me/orders")
    return answer


@pytest.mark.parametrize("service", REFUSALS.values(), ids=REFUSALS.keys())
def test_a_refusal_of_the_request_the_bff_built_is_its_own_502_naming_no_field(
    service: httpx.Response,
) -> None:
    answer = bff_answer(service)
    assert (answer.status_code, answer.headers["content-type"]) == (502, MEDIA_TYPE)
    body = answer.json()
    assert (body["type"], body["dependency"]) == ("urn:foyer:problem:dependency-refused", "orders")
    assert "customer_id" not in answer.text
    assert "errors" not in body


def test_a_problem_the_service_declares_for_callers_is_relayed() -> None:
    unknown = {
        "type": "urn:foyer:problem:invalid-cursor",
        "title": "Invalid cursor",
        "status": 400,
        "detail": "The cursor is not one this API issued.",
    }
    answer = bff_answer(httpx.Response(400, json=unknown))
    assert (answer.status_code, answer.json()["type"]) == (400, "urn:foyer:problem:invalid-cursor")


def test_a_throttled_service_stays_a_503_to_retry() -> None:
    """foyer.upstream retries a 429 and gives up as unavailable: never a refusal of ours."""
    answer = bff_answer(httpx.Response(429, text="Rate Exceeded."))
    assert (answer.status_code, answer.json()["type"]) == (503, "urn:foyer:problem:dependency-unavailable")
