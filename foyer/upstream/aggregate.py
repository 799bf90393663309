"""Independent calls made concurrently; an optional part that fails leaves the rest intact.

    parts = await gather_parts(products=list_products(...), stock=Optional(availability(...)))
    parts["products"]          # required: its failure is raised, as UpstreamError
    parts.get("stock")         # None when it failed; "stock" is then in parts.degraded

A required part's failure fails the whole answer (the route maps it to 503/504); the other calls
still in flight are cancelled, since nothing will use them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from foyer.upstream.exceptions import UpstreamError

T = TypeVar("T")


@dataclass(frozen=True)
class Optional(Generic[T]):
    """A part the answer can do without: on failure it is named in `degraded`, not raised."""

    call: Awaitable[T]


@dataclass
class Parts:
    """The results by name; a failed optional part is absent and named in `degraded`."""

    values: dict[str, Any] = field(default_factory=dict)
    degraded: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


async def gather_parts(**calls: Awaitable[Any] | Optional[Any]) -> Parts:
    """Run every call at once; see the module's docstring for what a failure does."""
    optional = {name for name, call in calls.items() if isinstance(call, Optional)}
    awaitables: Mapping[str, Awaitable[Any]] = {
        name: call.call if isinstance(call, Optional) else call for name, call in calls.items()
    }
    tasks = {name: asyncio.ensure_future(call) for name, call in awaitables.items()}
    parts = Parts()
    try:
        for name, task in tasks.items():
            try:
                parts.values[name] = await task
            except UpstreamError:
                if name not in optional:
                    raise
                parts.degraded.append(name)
    finally:
        for task in tasks.values():
            task.cancel()
        # Collect what the cancelled or unread tasks ended with, so none is "never retrieved".
        await asyncio.gather(*tasks.values(), return_exceptions=True)
    return parts
