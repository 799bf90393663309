"""The partner BFF's Lambda entry point (built at import, reused by every warm invocation)."""

from __future__ import annotations

from foyer.cold_start import init_phase

with init_phase():  # imports and construction with the garbage collector paused (foyer.cold_start)
    from bff.partner.app import app
    from bff.partner.deps import get_settings
    from foyer.lambda_glue import make_handler

    handler = make_handler(app, settings=get_settings)
