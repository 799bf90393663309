"""A Lambda's init with Python's cyclic garbage collector paused, and what it built frozen after.

Init imports FastAPI, pydantic and the app and builds the app once; nearly everything it creates
lives as long as the execution environment (modules, classes, schemas, routes), so the collections
that run during init find almost nothing to free and cost a noticeable share of it (see
docs/performance.md).

So in Lambda the collector is off while the handler module imports. Then `gc.freeze()` moves what init built
to a generation no collection scans: otherwise the first collection after init (at the first invocation) would
walk all of it. The few cyclic leftovers of init stay. Outside Lambda (tests, uvicorn) nothing changes: a test
process imports handlers among its own objects, and freezing those would keep them alive for good.

Also in Lambda only, FastAPI's OpenAPI document models are declared without their validators, built
when a document is first validated (foyer.deferred_openapi), and pydantic
does not look for plugins.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager

from foyer import deferred_openapi
from foyer.startup import in_lambda


@contextmanager
def init_phase() -> Iterator[None]:
    """Run the block (a Lambda handler module's imports and construction) without cyclic garbage
    collection when in a Lambda environment; afterwards collection is on and skips what it built.
    FastAPI's OpenAPI models, if the block imports FastAPI, get their validators on first use."""
    if not in_lambda():
        yield
        return
    deferred_openapi.install()
    # pydantic looks for plugins in every installed distribution's entry points when it builds its
    # first model, a cost paid at init for nothing: no Lambda of ours has a plugin. An empty value in
    # the function's environment
    # turns the lookup back on.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if not gc.isenabled():  # the caller's choice: leave collection to it
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
