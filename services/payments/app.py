"""The payments service as an ASGI app: `uvicorn services.payments.app:app`."""

from __future__ import annotations

from foyer.app import create_app
from services.payments.api import router
from services.payments.problems import PROBLEMS
from services.payments.settings import SERVICE

app = create_app(SERVICE, title="Foyer payments", version="1.0.0", routers=[router], problems=PROBLEMS)
