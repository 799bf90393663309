"""The apps bench/fanout.py measures, each run by uvicorn in its own process.

- `upstream`: three "services" (aiohttp servers) whose one route answers after 20 ms.
- `foyer_app`: a FastAPI route fanning out to the three through foyer.upstream (deadline, retry,
  breaker, optional parts), over the process's shared client (its transport: FOYER_HTTP_TRANSPORT,
  else the runtime's): what a BFF route does.
- `aiohttp_app`: the same route written by hand over one aiohttp ClientSession (the baseline).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import httpx
from aiohttp import web
from fastapi import FastAPI

from foyer.upstream import Breakers, Deadline, Upstream, gather_parts

DELAY_S = 0.02
URLS: list[str] = json.loads(os.environ.get("FANOUT_URLS", "[]"))


def _foyer(client: httpx.AsyncClient | None) -> FastAPI:
    app = FastAPI()
    breakers = Breakers()
    upstreams = [Upstream(f"s{i}", url, breakers=breakers, client=client) for i, url in enumerate(URLS)]

    @app.get("/page")
    async def page() -> dict[str, Any]:
        deadline = Deadline.after(2.0)
        parts = await gather_parts(**{u.name: u.get("/item", deadline) for u in upstreams})
        return {name: response.json() for name, response in parts.values.items()}

    return app


def _aiohttp() -> FastAPI:
    session: dict[str, aiohttp.ClientSession] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        session["s"] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2.0))
        yield
        await session["s"].close()

    app = FastAPI(lifespan=lifespan)

    async def one(url: str) -> Any:
        async with session["s"].get(f"{url}/item") as response:
            return await response.json()

    @app.get("/page")
    async def page() -> dict[str, Any]:
        answers = await asyncio.gather(*(one(url) for url in URLS))
        return {f"s{i}": answer for i, answer in enumerate(answers)}

    return app


foyer_app = _foyer(None)  # the shared client, over the process's transport
aiohttp_app = _aiohttp()


async def _item(request: web.Request) -> web.Response:
    await asyncio.sleep(DELAY_S)
    return web.json_response({"ok": True})


async def _serve(ports: list[int]) -> None:
    app = web.Application()
    app.router.add_get("/item", _item)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    for port in ports:
        await web.TCPSite(runner, "127.0.0.1", port).start()
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":  # python -m bench.fanout_apps PORT PORT PORT: the three services
    asyncio.run(_serve([int(p) for p in sys.argv[1:]]))
