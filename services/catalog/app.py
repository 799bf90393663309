"""The catalog service as an ASGI app: `uvicorn services.catalog.app:app`."""

from __future__ import annotations

from foyer.app import create_app
from services.catalog.api import router

app = create_app("catalog", title="Foyer catalog", version="1.0.0", routers=[router])
