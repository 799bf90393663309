"""Blocking calls (boto3) from `async def` routes, without holding up every other request.

In Lambda an execution environment serves one event at a time: nothing else waits on the event loop,
so the call runs inline (a thread hop would only add its cost to every invocation, several times a
warm FastAPI invocation's own). Under uvicorn one process serves every request: a blocking call on
the loop would hold every other request, `/health` included, behind it, so there the call runs in a
worker thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

from foyer.settings import platform

P = ParamSpec("P")
T = TypeVar("T")


async def run_blocking(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """`fn(*args, **kwargs)`: inline in Lambda, in a worker thread elsewhere (context vars follow)."""
    if platform().in_lambda:
        return fn(*args, **kwargs)
    return await run_in_threadpool(fn, *args, **kwargs)
