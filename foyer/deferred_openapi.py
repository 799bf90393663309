"""FastAPI's OpenAPI document models, validators built when a document is first validated.

`fastapi.openapi.models` declares about 40 pydantic models (the OpenAPI 3.1 document) at module
level, and `import fastapi` imports it, only to validate the document `/openapi.json` serves (and to
describe security schemes, which no app of ours declares). Declaring them, validators included, was
the costliest single step of a handler's init: 34-35 ms of the module's own time (-X importtime,
CPython 3.12, -I -S, the packaged catalog; the bare FastAPI app pays it too). A Lambda serving API
calls never validates a document.

So in Lambda the module runs, unchanged, with pydantic's `defer_build` default on: its classes are
declared without their validators, each built when first used. The module's closing
`model_rebuild()` calls (three recursive models) still build theirs, so this halves the cost rather
than removing it: measured 34-35 ms -> 16.6-17.2 ms of the module's own time (three runs each),
and the first `/openapi.json` then pays about 4 ms once. Nothing else's build is deferred: the
default is restored as soon as that one module has run, before any model of ours is declared.

pydantic keeps that default in a private mapping (`pydantic._internal._config.config_defaults`);
where it is missing (a pydantic that moved it) the module simply runs as usual, and
tests/foyer/test_deferred_openapi.py says so.
"""

from __future__ import annotations

import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

MODULE = "fastapi.openapi.models"


class _DeferringLoader:
    # Not an importlib.abc.Loader subclass: importing importlib.abc imports importlib.resources,
    # about 20 ms at init (-X importtime) for an interface the import system never checks.
    def __init__(self, real: Any) -> None:
        self.real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.real.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        """Run FastAPI's module with pydantic's `defer_build` default on, then restore it."""
        from pydantic._internal import _config  # imported by pydantic itself by now

        defaults: dict[str, Any] | None = getattr(_config, "config_defaults", None)
        if defaults is None or "defer_build" not in defaults:
            self.real.exec_module(module)
            return
        before = defaults["defer_build"]
        defaults["defer_build"] = True
        try:
            self.real.exec_module(module)
        finally:
            defaults["defer_build"] = before


class _Finder:  # a MetaPathFinder by shape (see _DeferringLoader)
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        loader: Any = _DeferringLoader(spec.loader)
        spec.loader = loader  # same origin, same cached bytecode: only the execution is wrapped
        return spec


def install() -> bool:
    """Defer the validators of FastAPI's OpenAPI models when `fastapi.openapi.models` is imported in
    this process; False if it already was (nothing left to defer)."""
    if MODULE in sys.modules:
        return False
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
    return True
