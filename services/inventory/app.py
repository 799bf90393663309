"""The inventory service as an ASGI app: `uvicorn services.inventory.app:app`."""

from __future__ import annotations

from foyer.app import create_app
from services.inventory.api import router
from services.inventory.problems import PROBLEMS
from services.inventory.settings import SERVICE

app = create_app(SERVICE, title="Foyer inventory", version="1.0.0", routers=[router], problems=PROBLEMS)
