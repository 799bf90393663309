"""The notifications service's read API as an ASGI app: `uvicorn services.notifications.app:app`."""

from __future__ import annotations

from foyer.app import create_app
from services.notifications.api import router
from services.notifications.problems import PROBLEMS
from services.notifications.settings import SERVICE

app = create_app(SERVICE, title="Foyer notifications", version="1.0.0", routers=[router], problems=PROBLEMS)
