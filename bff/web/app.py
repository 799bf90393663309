"""The web BFF as an ASGI app: `uvicorn bff.web.app:app`."""

from __future__ import annotations

from fastapi.middleware.cors import CORSMiddleware

from bff.web.api import router
from bff.web.deps import get_settings
from bff.web.problems import PROBLEMS
from bff.web.settings import SERVICE
from foyer.app import create_app

app = create_app(SERVICE, title="Foyer web BFF", version="1.0.0", routers=[router], problems=PROBLEMS)
# Only the configured origins; no credentials (the token travels in Authorization, not a cookie).
app.add_middleware(
    CORSMiddleware,
    allow_origins=list(get_settings().cors_origins),
    allow_methods=["GET", "POST"],
    allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Correlation-Id"],
    expose_headers=["Location", "X-Correlation-Id"],
    max_age=600,
)
