"""The orders service as an ASGI app: `uvicorn services.orders.app:app`."""

from __future__ import annotations

from foyer.app import create_app
from services.orders.api import router
from services.orders.problems import PROBLEMS
from services.orders.settings import SERVICE

app = create_app(SERVICE, title="Foyer orders", version="1.0.0", routers=[router], problems=PROBLEMS)
