"""The partner BFF as an ASGI app: `uvicorn bff.partner.app:app`."""

from __future__ import annotations

from bff.partner.api import router
from bff.partner.problems import PROBLEMS
from bff.partner.settings import SERVICE
from foyer.app import create_app
from foyer.identity.dependencies import API_KEY
from foyer.upstream.client import connections

app = create_app(
    SERVICE,
    title="Foyer partner API",
    version="1.0.0",
    description="Products, availability and orders for partners. Send your API key in `x-api-key`; "
    "every write needs an `Idempotency-Key`. Guide: docs/partners.md.",
    routers=[router],
    problems=PROBLEMS,
    security=[API_KEY],
    lifespan=connections,
)
