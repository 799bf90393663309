"""foyer.problems: one table maps domain exceptions to problems, registered and documented from it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from foyer.app import create_app
from foyer.errors import MEDIA_TYPE
from foyer.problems import ProblemTable, ProblemType


class ParcelLost(Exception):
    def __init__(self, parcel: str) -> None:
        super().__init__(f"parcel {parcel} lost")
        self.parcel = parcel


class ParcelLostAtSea(ParcelLost):
    pass


class CourierBusy(Exception):
    pass


PROBLEMS = ProblemTable(
    {
        ParcelLost: ProblemType[ParcelLost](
            "parcel-lost",
            404,
            "Parcel lost",
            detail=lambda e: f"Parcel {e.parcel} is nowhere.",
            members=lambda e: {"parcel": e.parcel},
        ),
        CourierBusy: ProblemType[CourierBusy](
            "courier-busy", 503, "Courier busy", headers=lambda e: {"Retry-After": "3"}
        ),
    }
)


def build_app() -> FastAPI:
    router = APIRouter()

    @router.get("/parcels/{parcel}", responses=PROBLEMS.responses(ParcelLost, CourierBusy))
    async def find_parcel(parcel: str) -> dict[str, str]:
        if parcel == "busy":
            raise CourierBusy("all out")
        if parcel == "sea":
            raise ParcelLostAtSea(parcel)
        raise ParcelLost(parcel)

    return create_app("parcels", title="Parcels", routers=[router], problems=PROBLEMS)


@pytest.fixture(scope="module")
def client() -> Any:
    with TestClient(build_app(), raise_server_exceptions=False) as c:
        yield c


def test_a_declared_exception_leaves_as_its_problem(client: TestClient) -> None:
    response = client.get("/parcels/P1")
    assert response.status_code == 404
    assert response.headers["content-type"] == MEDIA_TYPE
    body = response.json()
    assert body["type"] == "urn:foyer:problem:parcel-lost"
    assert (body["title"], body["status"], body["detail"]) == ("Parcel lost", 404, "Parcel P1 is nowhere.")
    assert body["parcel"] == "P1"
    assert body["correlation_id"] == response.headers["x-correlation-id"]


def test_a_subclass_leaves_as_its_nearest_declared_ancestor(client: TestClient) -> None:
    assert client.get("/parcels/sea").json()["type"] == "urn:foyer:problem:parcel-lost"


def test_a_problem_may_set_headers(client: TestClient) -> None:
    response = client.get("/parcels/busy")
    assert (response.status_code, response.headers["retry-after"]) == (503, "3")
    assert response.json()["detail"] == "all out"


def test_an_undeclared_exception_is_not_looked_up() -> None:
    with pytest.raises(LookupError, match="CourierGone"):
        PROBLEMS.lookup(type("CourierGone", (Exception,), {})())


def test_the_documented_responses_come_from_the_table(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/parcels/{parcel}"]["get"]
    assert "urn:foyer:problem:parcel-lost" in operation["responses"]["404"]["description"]
    assert "urn:foyer:problem:courier-busy" in operation["responses"]["503"]["description"]


class DepotClosed(Exception):
    pass


class DepotFlooded(Exception):
    pass


def test_a_status_documents_the_headers_its_problems_carry_required_when_all_carry_them() -> None:
    retry = {"headers": lambda e: {"Retry-After": "5"}, "header_names": ("Retry-After",)}
    table = ProblemTable(
        {
            CourierBusy: ProblemType[CourierBusy]("courier-busy", 503, "Busy", **retry),
            DepotClosed: ProblemType[DepotClosed]("depot-closed", 503, "Closed", **retry),
            DepotFlooded: ProblemType[DepotFlooded]("depot-flooded", 503, "Flooded"),
        }
    )

    both = table.responses(CourierBusy, DepotClosed)[503]["headers"]["Retry-After"]
    assert both["required"] is True
    assert both["schema"] == {"type": "integer", "minimum": 0}
    assert table.responses(CourierBusy, DepotFlooded)[503]["headers"]["Retry-After"]["required"] is False
    assert "headers" not in table.responses(DepotFlooded)[503]
