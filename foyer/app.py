"""The one way every Foyer service and BFF builds its FastAPI app."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI

from foyer import errors, logging
from foyer.middleware import BodyLimit, CorrelationId, UniqueJsonKeys

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"description": desc, "content": {errors.MEDIA_TYPE: {}}}
    for code, desc in {
        400: "Bad request",
        404: "Not found",
        409: "Conflict",
        413: "Too large",
        422: "Invalid",
    }.items()
}


def create_app(
    service: str,
    *,
    title: str,
    version: str = "1.0.0",
    routers: Sequence[APIRouter] = (),
    max_body_bytes: int = 64 * 1024,
    **fastapi_kwargs: Any,
) -> FastAPI:
    logging.setup(service)
    app = FastAPI(title=title, version=version, responses=PROBLEM_RESPONSES, **fastapi_kwargs)
    errors.install(app)
    # No trailing-slash redirects: Starlette builds their Location from the Host header, so
    # `GET /products/` with `Host: evil.example` was sent to http://evil.example/products.
    # One URL per resource, as the OpenAPI publishes it; anything else is a 404 problem.
    app.router.redirect_slashes = False
    # Added innermost first: the correlation id must exist before a 413 is written, and the body
    # is bounded before UniqueJsonKeys reads it.
    app.add_middleware(UniqueJsonKeys)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(CorrelationId)

    @app.get("/health", tags=["health"], summary="Liveness of this app")
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": service}

    for router in routers:
        app.include_router(router)
    return app
