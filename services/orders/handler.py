"""Orders' Lambda entry point (built at import, reused by every warm invocation)."""

from __future__ import annotations

from foyer.cold_start import init_phase

with init_phase():  # imports and construction with the garbage collector paused (foyer.cold_start)
    from foyer import snapstart
    from foyer.lambda_glue import make_handler
    from services.orders.app import app
    from services.orders.deps import get_settings

    handler = make_handler(app, settings=get_settings)
    # Placing an order imports the catalog's HTTP client on first use (services/orders/catalog.py);
    # a SnapStart snapshot holds it already.
    snapstart.import_before_snapshot("httpx", "foyer.signing")
