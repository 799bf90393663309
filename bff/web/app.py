"""The web BFF as an ASGI app: `uvicorn bff.web.app:app`."""

from __future__ import annotations

from fastapi import FastAPI

from bff.web.api import router
from bff.web.cors import OriginCors
from bff.web.problems import PROBLEMS
from bff.web.settings import SERVICE, WebSettings
from foyer.app import create_app
from foyer.identity.dependencies import BEARER
from foyer.upstream.client import connections


def build(settings: WebSettings) -> FastAPI:
    """The app, admitting browsers from `settings.cors_origins` only."""
    app = create_app(
        SERVICE,
        title="Foyer web BFF",
        version="1.0.0",
        routers=[router],
        problems=PROBLEMS,
        security=[BEARER],
        lifespan=connections,
    )
    # No credentials mode: the token travels in Authorization, never in a cookie.
    app.add_middleware(
        OriginCors,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Correlation-Id"],
        expose_headers=["Location", "X-Correlation-Id", "ETag"],
        max_age=600,
    )
    return app


# Read here, not through deps.get_settings: importing the app must not fix the settings every route
# will see (tests and the Lambda init load those when they are ready).
app = build(WebSettings())
