"""The inventory service as an ASGI app: `uvicorn services.inventory.app:app`."""

from __future__ import annotations

from foyer.app import create_app
from services.inventory.api import router

app = create_app("inventory", title="Foyer inventory", version="1.0.0", routers=[router])
