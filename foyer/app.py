"""The one way every Foyer service and BFF builds its FastAPI app."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Response
from fastapi.telemetry import TelemetryConfig

from foyer import errors, logging, metrics, openapi
from foyer.middleware import BodyLimit, CorrelationId, SingletonHeaders, UniqueJsonKeys
from foyer.problems import ProblemTable
from foyer.settings import FoyerSettings

# Problems any operation can answer, whatever its domain: malformed JSON or a forged cursor (400),
# a body over the limit (413), input that breaks the schema (422), and a bug (500). Bodies: foyer.openapi.
COMMON_PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad request: malformed JSON or a cursor this API did not issue"},
    413: {"description": "Content too large"},
    422: {"description": "The request does not match the schema"},
    500: {"description": "An unexpected error; quote the correlation id"},
}


# Foyer observes through JSON logs, EMF metrics and X-Ray (docs/architecture.md, "The warm call").
# FastAPI's native OpenTelemetry asks for its providers on every request even when none is
# configured, a visible share of a warm Lambda invocation (see docs/performance.md).
NATIVE_TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def create_app(
    service: str,
    *,
    title: str,
    version: str = "1.0.0",
    routers: Sequence[APIRouter] = (),
    problems: ProblemTable | None = None,
    max_body_bytes: int = 64 * 1024,
    security: Sequence[openapi.SecurityScheme] = (),
    **fastapi_kwargs: Any,
) -> FastAPI:
    """An app that logs JSON as `service`, answers every error as problem+json (`problems` maps the
    service's domain exceptions) and documents those errors in its OpenAPI, with the `security`
    schemes its routes depend on."""
    settings = FoyerSettings(service=service)
    logging.setup(settings.service, settings.log_level)
    metrics.configure(service=settings.service)
    fastapi_kwargs.setdefault("telemetry", NATIVE_TELEMETRY_OFF)
    app = FastAPI(
        title=title,
        version=version,
        responses=COMMON_PROBLEMS,
        generate_unique_id_function=openapi.operation_id,
        **fastapi_kwargs,
    )
    errors.install(app)
    if problems is not None:
        problems.install(app)
    openapi.install(app, security)
    # No trailing-slash redirects: Starlette builds their Location from the Host header, so
    # `GET /products/` with `Host: evil.example` was sent to http://evil.example/products.
    # One URL per resource, as the OpenAPI publishes it; anything else is a 404 problem.
    app.router.redirect_slashes = False
    # Added innermost first: the correlation id must exist before a 400 or 413 is written, and the
    # body is bounded before UniqueJsonKeys reads it.
    app.add_middleware(UniqueJsonKeys)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(SingletonHeaders)
    app.add_middleware(CorrelationId)

    @app.get("/health", tags=["health"], summary="Liveness of this app")
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": service}

    # Uptime checks and load balancers probe with HEAD; kept out of the OpenAPI, which documents GET.
    @app.head("/health", include_in_schema=False)
    async def health_head() -> Response:
        return Response(status_code=200, media_type="application/json")

    for router in routers:
        app.include_router(router)
    return app
