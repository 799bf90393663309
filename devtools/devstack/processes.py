"""Child processes of the local stack: started in order, their output prefixed, all stopped on exit."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import httpx

_PR_SET_PDEATHSIG = 1


# Looked up before any fork: a child must not import or load anything between fork and exec.
_prctl = getattr(ctypes.CDLL(None), "prctl", None) if sys.platform == "linux" else None


def die_with_parent() -> None:
    """Run in a child before exec: if the stack is killed hard, the kernel still stops it (Linux only)."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    _pump: threading.Thread | None = field(default=None, repr=False)

    def stop(self, timeout: float = 10) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        if self._pump is not None:
            self._pump.join(timeout=2)


def _pump_output(child: Child, sink: Callable[[str, str], None]) -> None:
    assert child.process.stdout is not None
    for raw in iter(child.process.stdout.readline, b""):
        sink(child.name, raw.decode(errors="replace").rstrip("\n"))


def start(
    name: str,
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: str | None = None,
    sink: Callable[[str, str], None] | None = None,
) -> Child:
    """Start `argv` with stdout+stderr merged and forwarded line by line to `sink(name, line)`."""
    process = subprocess.Popen(
        list(argv),
        env=dict(env),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=die_with_parent if _prctl is not None else None,
        # A process group of its own: Ctrl-C in the terminal reaches the stack alone, which then stops
        # its children in order (the apps and pollers before the emulator they talk to).
        process_group=0,
    )
    child = Child(name, process)
    if sink is not None:
        child._pump = threading.Thread(target=_pump_output, args=(child, sink), daemon=True)
        child._pump.start()
    return child


# Malformed HTTP answered as problem+json, like every other error (see the module).
HTTP_PROTOCOL = "devtools.devstack.http_protocol:ProblemH11Protocol"


def uvicorn_argv(module_app: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        module_app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--http",
        HTTP_PROTOCOL,
        "--no-access-log",
    ]


def wait_healthy(child: Child, url: str, *, timeout: float = 60) -> None:
    """Poll `url` until it answers 200; fail early if the process exits."""
    deadline = time.monotonic() + timeout
    last: str = "no answer"
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise RuntimeError(
                f"{child.name} exited with code {child.process.returncode} before it was healthy"
            )
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return
            last = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            last = type(exc).__name__
        time.sleep(0.2)
    raise TimeoutError(f"{child.name} was not healthy at {url} within {timeout:.0f} s ({last})")


def stop_all(children: Sequence[Child]) -> None:
    """Stop in reverse start order: apps before the emulator they talk to."""
    for child in reversed(children):
        child.stop()


def python_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env
