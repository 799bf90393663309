"""bff.web.cors: the same answers as Starlette's CORSMiddleware, with or without an Origin."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI, Response
from fastapi.testclient import TestClient
from starlette.middleware.cors import CORSMiddleware

from bff.web.cors import OriginCors, carries_origin

OPTIONS: dict[str, Any] = {
    "allow_origins": ["https://shop.example.com"],
    "allow_methods": ["GET", "POST"],
    "allow_headers": ["Authorization", "Content-Type", "Idempotency-Key"],
    "expose_headers": ["Location"],
    "max_age": 600,
}
PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Idempotency-Key"}
REQUESTS = [
    ("GET", "/plain", {}),
    ("GET", "/varied", {}),  # a route with a Vary of its own
    ("POST", "/plain", {}),
    ("GET", "/plain", {"Origin": "https://shop.example.com"}),
    ("GET", "/varied", {"Origin": "https://shop.example.com"}),
    ("GET", "/plain", {"Origin": "https://evil.example"}),
    ("OPTIONS", "/plain", {"Origin": "https://shop.example.com", **PREFLIGHT}),
    ("OPTIONS", "/plain", {"Origin": "https://evil.example", **PREFLIGHT}),
    ("OPTIONS", "/plain", {}),
]


def client(middleware: type) -> TestClient:
    app = FastAPI()

    @app.api_route("/plain", methods=["GET", "POST"])
    async def plain() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/varied")
    async def varied(response: Response) -> dict[str, str]:
        response.headers["Vary"] = "Accept-Language"
        return {"ok": "yes"}

    app.add_middleware(middleware, **OPTIONS)
    return TestClient(app)


def seen(answer: Any) -> tuple[int, str, dict[str, str]]:
    """Status, body and headers, a header's several lines read as one list (RFC 9110, 5.3)."""
    names = {name for name in answer.headers}
    headers = {name: ", ".join(answer.headers.get_list(name)) for name in names if name != "content-length"}
    return answer.status_code, answer.text, headers


@pytest.mark.parametrize(("method", "path", "headers"), REQUESTS)
def test_answers_match_starlettes_cors_middleware(method: str, path: str, headers: dict[str, str]) -> None:
    ours = client(OriginCors).request(method, path, headers=headers)
    starlettes = client(CORSMiddleware).request(method, path, headers=headers)
    assert seen(ours) == seen(starlettes)


def test_a_request_without_origin_still_tells_caches_the_answer_varies_by_origin() -> None:
    answer = client(OriginCors).get("/varied")
    assert answer.headers.get_list("vary") == ["Accept-Language", "Origin"]
    assert "access-control-allow-origin" not in answer.headers


def test_only_an_origin_header_counts_as_one() -> None:
    assert carries_origin([(b"host", b"x"), (b"origin", b"https://a")])
    assert not carries_origin([(b"host", b"x"), (b"x-origin", b"https://a")])
    assert not carries_origin([])
