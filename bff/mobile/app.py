"""The mobile BFF as an ASGI app: `uvicorn bff.mobile.app:app`."""

from __future__ import annotations

from bff.mobile.api import router
from bff.mobile.problems import PROBLEMS
from bff.mobile.settings import SERVICE
from foyer.app import create_app
from foyer.identity.dependencies import BEARER
from foyer.upstream.client import connections

app = create_app(
    SERVICE,
    title="Foyer mobile BFF",
    version="1.0.0",
    routers=[router],
    problems=PROBLEMS,
    security=[BEARER],
    lifespan=connections,
)
