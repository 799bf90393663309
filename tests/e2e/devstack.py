"""Helpers for the end-to-end tests: run the dev stack as a real process group, read it, stop it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from devtools.devstack.__main__ import READY
from foyer.stack_file import LocalStack

START_TIMEOUT = 300
OFFSET = 1000  # the shared stack's ports: beside a developer's own `make dev` on the default ones


@dataclass
class RunningStack:
    process: subprocess.Popen[str]
    state_dir: Path
    lines: list[str] = field(default_factory=list)

    @property
    def stack_file(self) -> Path:
        return self.state_dir / "stack.json"

    @property
    def description(self) -> LocalStack:
        """The stack file the dev stack wrote, read with the model every reader uses."""
        described = LocalStack.read(self.stack_file)
        assert described is not None, f"no stack file at {self.stack_file}"
        return described

    def descendants(self) -> list[int]:
        """Every process below the dev stack (read from /proc: no extra dependency)."""
        parents: dict[int, int] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(stat.parent.name)] = int(fields[1])
        found, frontier = [], [self.process.pid]
        while frontier:
            parent = frontier.pop()
            children = [pid for pid, ppid in parents.items() if ppid == parent]
            found += children
            frontier += children
        return found

    def interrupt(self, timeout: float = 60) -> None:
        """What a terminal does on Ctrl-C: SIGINT to the whole process group; wait for the exit."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGINT)
        self.process.wait(timeout)

    def kill(self) -> None:
        """Stop whatever is left, hard (teardown after a failure)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _read(process: subprocess.Popen[str], lines: list[str], ready: threading.Event) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        if READY in line:
            ready.set()
    ready.set()  # EOF: the stack died; the waiter checks the exit code


def start(
    argv: Sequence[str], *, cwd: Path, state_dir: Path, extra_env: Mapping[str, str] | None = None
) -> RunningStack:
    """Start the dev stack (`argv`) in its own process group and wait for its ready banner.

    No AWS_* or FOYER_* variables from this process: the stack must find everything itself; only
    `extra_env` (a fault option a developer would set, say) is added.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FOYER_"))}
    env["COLUMNS"] = "200"
    env.update(extra_env or {})
    # Its own process group, like a terminal's foreground job: Ctrl-C signals the whole group.
    process = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    running = RunningStack(process, state_dir)
    ready = threading.Event()
    threading.Thread(target=_read, args=(process, running.lines, ready), daemon=True).start()
    ready.wait(START_TIMEOUT)
    # EOF also sets `ready`, possibly before the process has exited: the banner itself decides.
    if not any(READY in line for line in running.lines) or process.poll() is not None:
        running.kill()
        pytest.fail("the dev stack never reached its ready banner:\n" + "".join(running.lines[-60:]))
    return running


def listening(port_number: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port_number)) == 0


def emulator_client(described: LocalStack, service: str) -> Any:
    """A boto3 client for `service` pointed at the stack's emulator."""
    return boto3.client(
        service,  # type: ignore[call-overload]
        region_name=described.region,
        endpoint_url=described.endpoint,
        aws_access_key_id=described.emulator.access_key_id,
        aws_secret_access_key=described.emulator.secret_access_key,
    )
