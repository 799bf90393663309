"""Inventory through its real app and its real Lambda handler, against the AWS emulator."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from foyer.errors import MEDIA_TYPE
from services.inventory.app import app
from services.inventory.handler import handler

pytestmark = pytest.mark.integration


@pytest.fixture
def client(services_stack: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def new_sku() -> str:
    return f"INV-{uuid.uuid4().hex[:12].upper()}"


def new_order() -> str:
    return f"ord-{uuid.uuid4().hex}"


def stocked(client: TestClient, available: int) -> str:
    sku = new_sku()
    response = client.put(f"/stock/{sku}", json={"available": available})
    assert response.status_code == 200, response.text
    return sku


def stock_of(client: TestClient, sku: str) -> tuple[int, int]:
    body = client.get(f"/stock/{sku}").json()
    return body["available"], body["reserved"]


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(MEDIA_TYPE)
    body: dict[str, Any] = json.loads(response.text)
    assert body["status"] == status
    return body


# Stock.
def test_set_and_get_stock(client: TestClient) -> None:
    sku = new_sku()
    assert_problem(client.get(f"/stock/{sku}"), 404)
    assert client.put(f"/stock/{sku}", json={"available": 7}).json() == {
        "sku": sku,
        "available": 7,
        "reserved": 0,
    }
    assert client.get(f"/stock/{sku}").json() == {"sku": sku, "available": 7, "reserved": 0}


def test_setting_stock_keeps_what_is_reserved(client: TestClient) -> None:
    sku = stocked(client, 5)
    client.post("/reservations", json={"order_id": new_order(), "lines": [{"sku": sku, "quantity": 2}]})
    assert client.put(f"/stock/{sku}", json={"available": 10}).json()["reserved"] == 2
    assert stock_of(client, sku) == (10, 2)


@pytest.mark.parametrize(
    "body", [{"available": -1}, {"available": 2.5}, {"available": "4"}, {"available": 1, "reserved": 3}, {}]
)
def test_invalid_stock_levels_are_422_and_change_nothing(client: TestClient, body: dict[str, Any]) -> None:
    sku = stocked(client, 3)
    assert_problem(client.put(f"/stock/{sku}", json=body), 422)
    assert stock_of(client, sku) == (3, 0)


# Availability.
def test_availability_of_several_skus_in_request_order_without_repeats(client: TestClient) -> None:
    a, b = stocked(client, 4), stocked(client, 0)
    response = client.get("/availability", params=[("sku", b), ("sku", a), ("sku", b)])
    assert response.status_code == 200, response.text
    assert response.json() == {"items": [{"sku": b, "available": 0}, {"sku": a, "available": 4}]}


def test_availability_names_the_unknown_skus(client: TestClient) -> None:
    known, ghost1, ghost2 = stocked(client, 1), new_sku(), new_sku()
    problem = assert_problem(
        client.get("/availability", params=[("sku", ghost1), ("sku", known), ("sku", ghost2)]), 404
    )
    assert problem["unknown_skus"] == [ghost1, ghost2]


@pytest.mark.parametrize(
    "params",
    [[], [("sku", "lower-case")], [("sku", f"SKU-{i:03d}") for i in range(101)]],
    ids=["none", "malformed", "too-many"],
)
def test_bad_availability_queries_are_422(client: TestClient, params: list[tuple[str, str]]) -> None:
    assert_problem(client.get("/availability", params=params), 422)


def test_availability_of_a_hundred_skus(client: TestClient) -> None:
    skus = [stocked(client, i) for i in range(100)]
    items = client.get("/availability", params=[("sku", s) for s in skus]).json()["items"]
    assert items == [{"sku": s, "available": i} for i, s in enumerate(skus)]


# Reservations.
def test_reserve_moves_stock_from_available_to_reserved(client: TestClient) -> None:
    a, b = stocked(client, 5), stocked(client, 3)
    order = new_order()
    body = {"order_id": order, "lines": [{"sku": a, "quantity": 2}, {"sku": b, "quantity": 3}]}
    created = client.post("/reservations", json=body)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"/reservations/{order}"
    data = created.json()
    assert data["order_id"] == order
    assert data["status"] == "reserved"
    assert sorted((line["sku"], line["quantity"]) for line in data["lines"]) == sorted([(a, 2), (b, 3)])
    assert stock_of(client, a) == (3, 2)
    assert stock_of(client, b) == (0, 3)
    assert client.get(f"/reservations/{order}").json() == data


def test_repeating_a_reservation_answers_200_and_reserves_nothing_more(client: TestClient) -> None:
    a, b = stocked(client, 5), stocked(client, 5)
    order = new_order()
    body = {"order_id": order, "lines": [{"sku": a, "quantity": 2}, {"sku": b, "quantity": 1}]}
    first = client.post("/reservations", json=body)
    assert first.status_code == 201
    again = client.post("/reservations", json=body)
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    reordered = client.post("/reservations", json={**body, "lines": body["lines"][::-1]})
    assert reordered.status_code == 200
    assert stock_of(client, a) == (3, 2)
    assert stock_of(client, b) == (4, 1)


def test_repeat_after_the_stock_ran_out_still_finds_the_reservation(client: TestClient) -> None:
    sku = stocked(client, 2)
    body = {"order_id": new_order(), "lines": [{"sku": sku, "quantity": 2}]}
    assert client.post("/reservations", json=body).status_code == 201
    assert stock_of(client, sku) == (0, 2)
    assert client.post("/reservations", json=body).status_code == 200


def test_same_order_with_other_lines_is_a_conflict(client: TestClient) -> None:
    sku = stocked(client, 5)
    order = new_order()
    client.post("/reservations", json={"order_id": order, "lines": [{"sku": sku, "quantity": 1}]})
    problem = assert_problem(
        client.post("/reservations", json={"order_id": order, "lines": [{"sku": sku, "quantity": 2}]}), 409
    )
    assert problem["type"].endswith("reservation-mismatch")
    assert stock_of(client, sku) == (4, 1)


def test_insufficient_stock_reserves_nothing(client: TestClient) -> None:
    plenty, scarce = stocked(client, 10), stocked(client, 1)
    order = new_order()
    body = {"order_id": order, "lines": [{"sku": plenty, "quantity": 3}, {"sku": scarce, "quantity": 2}]}
    problem = assert_problem(client.post("/reservations", json=body), 409)
    assert problem["type"].endswith("insufficient-stock")
    assert problem["lines"] == [{"sku": scarce, "requested": 2, "available": 1}]
    assert stock_of(client, plenty) == (10, 0)
    assert stock_of(client, scarce) == (1, 0)
    assert_problem(client.get(f"/reservations/{order}"), 404)


def test_unknown_skus_reserve_nothing(client: TestClient) -> None:
    known, ghost = stocked(client, 10), new_sku()
    order = new_order()
    body = {"order_id": order, "lines": [{"sku": known, "quantity": 1}, {"sku": ghost, "quantity": 1}]}
    problem = assert_problem(client.post("/reservations", json=body), 422)
    assert problem["unknown_skus"] == [ghost]
    assert stock_of(client, known) == (10, 0)
    assert_problem(client.get(f"/stock/{ghost}"), 404)  # the failed update created no item
    assert_problem(client.get(f"/reservations/{order}"), 404)


@pytest.mark.parametrize(
    ("lines", "status"),
    [
        ([{"sku": "{sku}", "quantity": -1}], 422),
        ([{"sku": "{sku}", "quantity": 0}], 422),
        ([{"sku": "{sku}", "quantity": 1.5}], 422),
        ([{"sku": "{sku}", "quantity": 1001}], 422),
        ([{"sku": "{sku}", "quantity": 1, "note": "x"}], 422),
        ([], 422),
    ],
)
def test_invalid_reservations_leave_stock_untouched(
    client: TestClient, lines: list[dict[str, Any]], status: int
) -> None:
    sku = stocked(client, 5)
    order = new_order()
    body = {"order_id": order, "lines": [{**line, "sku": sku} for line in lines]}
    assert_problem(client.post("/reservations", json=body), status)
    assert stock_of(client, sku) == (5, 0)
    assert_problem(client.get(f"/reservations/{order}"), 404)


def test_unknown_top_level_fields_malformed_json_and_oversized_bodies(client: TestClient) -> None:
    sku = stocked(client, 5)
    order = new_order()
    line = {"sku": sku, "quantity": 1}
    assert_problem(client.post("/reservations", json={"order_id": order, "lines": [line], "x": 1}), 422)
    assert_problem(
        client.post(
            "/reservations",
            content=f'{{"order_id": "{order}", "lines": [',
            headers={"content-type": "application/json"},
        ),
        400,
    )
    big = {"order_id": order, "lines": [line], "padding": "x" * (65 * 1024)}
    assert_problem(client.post("/reservations", json=big), 413)
    assert_problem(client.post("/reservations", json={"order_id": "bad id!", "lines": [line]}), 422)
    assert stock_of(client, sku) == (5, 0)
    assert_problem(client.get(f"/reservations/{order}"), 404)


# Release.
def test_release_gives_the_stock_back_once(client: TestClient) -> None:
    a, b = stocked(client, 5), stocked(client, 5)
    order = new_order()
    client.post(
        "/reservations",
        json={"order_id": order, "lines": [{"sku": a, "quantity": 2}, {"sku": b, "quantity": 5}]},
    )
    released = client.post(f"/reservations/{order}/release")
    assert released.status_code == 200, released.text
    assert released.json()["status"] == "released"
    assert stock_of(client, a) == (5, 0)
    assert stock_of(client, b) == (5, 0)

    again = client.post(f"/reservations/{order}/release")
    assert again.status_code == 200
    assert again.json() == released.json()
    assert stock_of(client, a) == (5, 0)
    assert client.get(f"/reservations/{order}").json() == released.json()


def test_a_committed_reservation_is_not_released(client: TestClient, service_stores: dict[str, Any]) -> None:
    # Its order is confirmed (inventory's consumer committed it): the units are sold.
    sku = stocked(client, 5)
    order = new_order()
    client.post("/reservations", json={"order_id": order, "lines": [{"sku": sku, "quantity": 2}]})
    committed = service_stores["inventory"].commit(order, now=datetime.now(UTC))
    assert committed.status == "committed"
    assert stock_of(client, sku) == (3, 0)

    problem = assert_problem(client.post(f"/reservations/{order}/release"), 409)
    assert problem["type"] == "urn:foyer:problem:reservation-committed"
    assert problem["order_id"] == order
    assert stock_of(client, sku) == (3, 0)
    assert client.get(f"/reservations/{order}").json()["status"] == "committed"


@pytest.mark.parametrize("same_lines", [True, False], ids=["same-lines", "other-lines"])
def test_a_released_order_id_cannot_reserve_again_and_says_so(client: TestClient, same_lines: bool) -> None:
    # The order id reserves once. A 2xx would read as "stock held" although nothing is: a 409 that
    # names the release, whatever lines the repeat asks for.
    sku = stocked(client, 5)
    order = new_order()
    client.post("/reservations", json={"order_id": order, "lines": [{"sku": sku, "quantity": 1}]})
    client.post(f"/reservations/{order}/release")
    lines = [{"sku": sku, "quantity": 1 if same_lines else 3}]
    problem = assert_problem(client.post("/reservations", json={"order_id": order, "lines": lines}), 409)
    assert problem["type"] == "urn:foyer:problem:reservation-released"
    assert problem["order_id"] == order
    assert stock_of(client, sku) == (5, 0)
    assert client.get(f"/reservations/{order}").json()["status"] == "released"


def test_a_sku_on_several_lines_is_reserved_once_for_their_total(client: TestClient) -> None:
    sku = stocked(client, 5)
    order = new_order()
    lines = [{"sku": sku, "quantity": 1}, {"sku": sku, "quantity": 2}]
    created = client.post("/reservations", json={"order_id": order, "lines": lines})
    assert created.status_code == 201, created.text
    assert created.json()["lines"] == [{"sku": sku, "quantity": 3}]
    assert stock_of(client, sku) == (2, 3)
    repeat = client.post("/reservations", json={"order_id": order, "lines": [{"sku": sku, "quantity": 3}]})
    assert repeat.status_code == 200, repeat.text
    assert stock_of(client, sku) == (2, 3)


def test_an_integral_float_quantity_is_an_integer(client: TestClient) -> None:
    sku = stocked(client, 5)
    assert client.put(f"/stock/{sku}", json={"available": 5.0}).json()["available"] == 5
    body = {"order_id": new_order(), "lines": [{"sku": sku, "quantity": 2.0}]}
    assert client.post("/reservations", json=body).status_code == 201
    assert stock_of(client, sku) == (3, 2)


def test_release_or_get_an_unknown_reservation_is_404(client: TestClient) -> None:
    order = new_order()
    assert_problem(client.post(f"/reservations/{order}/release"), 404)
    assert_problem(client.get(f"/reservations/{order}"), 404)
    assert_problem(client.get("/reservations/bad%20id"), 422)


# The real Lambda handler, fed API Gateway REST (v1) proxy events of stage "dev".
@pytest.mark.parametrize("stage_in_path", [False, True], ids=["execute-api-path", "stage-prefixed-path"])
def test_lambda_handler_serves_the_api(services_stack: Any, lambda_events: Any, stage_in_path: bool) -> None:
    ev, invoke = lambda_events.rest_event, lambda_events.invoke

    def call(method: str, path: str, **kw: Any) -> Any:
        return invoke(handler, ev(method, path, stage_in_path=stage_in_path, **kw))

    a, b, ghost = new_sku(), new_sku(), new_sku()
    assert call("PUT", f"/stock/{a}", body={"available": 3}).status == 200
    assert call("PUT", f"/stock/{b}", body={"available": 1}).status == 200

    availability = call("GET", "/availability", query={"sku": [a, b, a]})
    assert availability.status == 200, availability.body
    assert availability.json() == {"items": [{"sku": a, "available": 3}, {"sku": b, "available": 1}]}
    unknown = call("GET", "/availability", query={"sku": [a, ghost]})
    assert unknown.status == 404
    assert unknown.headers["content-type"] == MEDIA_TYPE
    assert unknown.json()["unknown_skus"] == [ghost]

    order = new_order()
    body = {"order_id": order, "lines": [{"sku": a, "quantity": 2}, {"sku": b, "quantity": 1}]}
    created = call("POST", "/reservations", body=body)
    assert created.status == 201, created.body
    assert created.headers["location"] == f"/dev/reservations/{order}"  # the stage the client used
    assert call("POST", "/reservations", body=body).status == 200
    short = call(
        "POST", "/reservations", body={"order_id": new_order(), "lines": [{"sku": b, "quantity": 1}]}
    )
    assert short.status == 409
    assert short.json()["lines"] == [{"sku": b, "requested": 1, "available": 0}]
    assert call("GET", f"/reservations/{order}").json()["status"] == "reserved"
    assert call("POST", f"/reservations/{order}/release").json()["status"] == "released"
    assert call("GET", f"/stock/{a}").json() == {"sku": a, "available": 3, "reserved": 0}


def test_lambda_handler_refuses_bad_input_as_problems(services_stack: Any, lambda_events: Any) -> None:
    ev, invoke = lambda_events.rest_event, lambda_events.invoke
    sku = new_sku()
    assert invoke(handler, ev("PUT", f"/stock/{sku}", body={"available": 4})).status == 200
    order = new_order()
    cases = [
        (ev("POST", "/reservations", raw_body='{"order_id": ', stage_in_path=True), 400),
        (ev("POST", "/reservations", body={"order_id": order, "lines": [{"sku": sku, "quantity": -2}]}), 422),
        (
            ev(
                "POST",
                "/reservations",
                body={"order_id": order, "lines": [{"sku": sku, "quantity": 1}], "x": 1},
            ),
            422,
        ),
        (
            ev(
                "POST",
                "/reservations",
                body={"order_id": order, "lines": [{"sku": new_sku(), "quantity": 1}]},
            ),
            422,
        ),
        (ev("POST", "/reservations", body={"order_id": order, "lines": [], "pad": "x" * 70_000}), 413),
        (ev("PUT", f"/stock/{sku}", body={"available": -4}), 422),
        (ev("GET", "/availability"), 422),
    ]
    for event, status in cases:
        response = invoke(handler, event)
        assert response.status == status, response.body
        assert response.headers["content-type"] == MEDIA_TYPE
    assert invoke(handler, ev("GET", f"/stock/{sku}")).json() == {"sku": sku, "available": 4, "reserved": 0}
    assert invoke(handler, ev("GET", f"/reservations/{order}")).status == 404
