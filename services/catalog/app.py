"""The catalog service as an ASGI app: `uvicorn services.catalog.app:app`."""

from __future__ import annotations

from foyer.app import create_app
from services.catalog.api import router
from services.catalog.problems import PROBLEMS
from services.catalog.settings import SERVICE

app = create_app(SERVICE, title="Foyer catalog", version="1.0.0", routers=[router], problems=PROBLEMS)
