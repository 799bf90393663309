"""The correlation id that follows one request through BFFs, services and events."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

HEADER = "x-correlation-id"
# An ASGI scope key: a server that offers it (None) echoes the id itself (foyer.lambda_glue puts it
# on the Lambda answer) and foyer.middleware.CorrelationId leaves the id there instead of wrapping send.
SCOPE_SLOT = "foyer.correlation_id"
# Accept what callers send only if it is short and harmless in logs and headers.
_VALID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")

_current: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def new_id() -> str:
    return str(uuid.uuid4())


def accept(candidate: str | None) -> str:
    """The caller's id when it is valid, otherwise a fresh one."""
    if candidate and _VALID.fullmatch(candidate):  # `$` would let a trailing newline through
        return candidate
    return new_id()


def get() -> str | None:
    return _current.get()


def set_current(value: str) -> None:
    _current.set(value)
