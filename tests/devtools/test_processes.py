"""The local stack's processes: Ctrl-C reaches the stack alone, which stops its children in order
(the apps and pollers before the emulator they talk to); a stack killed hard takes them all with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from devtools.devstack import processes
from devtools.devstack.emulator import Emulator, free_port


def test_children_are_out_of_the_terminals_process_group() -> None:
    """Ctrl-C signals the terminal's whole foreground group: the stack alone must get it, and stop its
    children in order, or the pollers outlive the emulator and log tracebacks."""
    child = processes.start("sleeper", [sys.executable, "-c", "import time; time.sleep(30)"], env=os.environ)
    try:
        assert os.getpgid(child.process.pid) != os.getpgid(0)
    finally:
        child.stop()


@pytest.mark.integration
def test_the_emulator_is_out_of_the_terminals_process_group(emulator: Emulator) -> None:
    assert emulator._process is not None
    assert os.getpgid(emulator._process.pid) != os.getpgid(0)


@pytest.mark.integration  # starts an emulator of its own, outside the fixtures the marking sees
def test_an_emulator_whose_stack_is_killed_hard_stops_too(tmp_path: Path) -> None:
    port = free_port()
    script = textwrap.dedent(
        f"""
        import time
        from devtools.devstack.emulator import Emulator
        Emulator({port}).start()
        print("up", flush=True)
        time.sleep(120)
        """
    )
    stack = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert stack.stdout is not None
        assert stack.stdout.readline().strip() == "up"
        stack.send_signal(signal.SIGKILL)
        stack.wait(10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
            except httpx.TransportError:
                return
            time.sleep(0.2)
        pytest.fail(f"the emulator on {port} outlived the process that started it")
    finally:
        stack.kill()
