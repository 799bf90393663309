"""Running a sandbox: in a thread of this process (tests, benches) or as its own process (the stack)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette

from devtools.devstack.payment_sandbox.app import Sandbox, create_app
from devtools.devstack.payment_sandbox.config import SandboxConfig


@dataclass(frozen=True)
class RunningSandbox:
    url: str
    app: Starlette

    @property
    def state(self) -> Sandbox:
        """The sandbox's own state (its ledger, faults and keys), for tests to read."""
        sandbox: Sandbox = self.app.state.sandbox
        return sandbox


@contextmanager
def in_thread(
    config: SandboxConfig | None = None, *, startup_timeout: float = 10.0
) -> Iterator[RunningSandbox]:
    """A sandbox served by uvicorn on 127.0.0.1 (a port the OS picks) in a daemon thread."""
    app = create_app(config)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, name="payment-sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the payment sandbox did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield RunningSandbox(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(timeout=startup_timeout)


def argv(config: SandboxConfig, *, port: int, host: str = "127.0.0.1") -> list[str]:
    """The command that runs a sandbox behaving as `config` as its own process (its own keys aside)."""
    return [
        sys.executable,
        "-m",
        "devtools.devstack.payment_sandbox",
        "--host",
        host,
        "--port",
        str(port),
        "--seed",
        str(config.seed),
        "--error-rate",
        str(config.error_rate),
        "--latency-ms",
        str(config.latency_ms),
        "--hang-ms",
        str(config.hang_ms),
        "--retry-after",
        str(config.retry_after_s),
        "--faults",
        ",".join(config.faults),
        *(arg for key in sorted(config.api_keys) for arg in ("--api-key", key)),
    ]
