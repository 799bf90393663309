"""FastAPI's OpenAPI document models, their validators built when a document is first validated.

`fastapi.openapi.models` declares about 40 pydantic models (the OpenAPI 3.1 document) at module
level, and `import fastapi` imports it, only to validate the document `/openapi.json` serves (and to
describe security schemes, which no app of ours declares). Declaring them, validators included, was
the costliest single step of a handler's init (the bare FastAPI app pays it too; see
docs/performance.md). A Lambda serving API calls never validates a document.

So in Lambda the module runs, its code unchanged, with pydantic's `defer_build` default on and the
`model_rebuild()` calls it closes with (three recursive models) skipped for its own classes: its
models are declared without validators, built on first use (`defer_build` alone leaves the
recursive models' rebuild at init). The first document served pays the build once, and only then.
FastAPI's security classes build `OAuthFlows` at import (a default argument): that one stays built at init.

Nothing else is deferred: the module's own imports (fastapi._compat, fastapi.logger, pydantic)
declare no model at import, both defaults are restored as soon as the module has run, before any
model of ours is declared, and tests/foyer/test_deferred_openapi.py checks that no other model is
left unbuilt and that the served document is the same. pydantic keeps the default in a private
mapping (`pydantic._internal._config.config_defaults`); where it is missing (a pydantic that moved
it) the module simply runs as usual.
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
    # a costly import at init for an interface the import system never checks.
    def __init__(self, real: Any) -> None:
        self.real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.real.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        """Run FastAPI's module with pydantic's `defer_build` default on and its own models'
        `model_rebuild()` calls skipped, then restore both."""
        from pydantic import BaseModel
        from pydantic._internal import _config  # imported by pydantic itself by now

        defaults: dict[str, Any] | None = getattr(_config, "config_defaults", None)
        if defaults is None or "defer_build" not in defaults:
            self.real.exec_module(module)
            return
        before, rebuild = defaults["defer_build"], BaseModel.__dict__["model_rebuild"]

        def rebuild_later(cls: type[BaseModel], /, **kwargs: Any) -> bool | None:
            if cls.__module__ == MODULE:
                return None  # built with the rest on first use
            return rebuild.__func__(cls, **kwargs)  # type: ignore[no-any-return]

        defaults["defer_build"] = True
        BaseModel.model_rebuild = classmethod(rebuild_later)  # type: ignore[method-assign,assignment]
        try:
            self.real.exec_module(module)
        finally:
            defaults["defer_build"] = before
            BaseModel.model_rebuild = rebuild  # type: ignore[method-assign]


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
