"""`make dev` end to end: the README's command, real processes, real HTTP, a Ctrl-C that stops it all."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from foyer.devstack.__main__ import READY
from foyer.devstack.ports import port
from foyer.devstack.processes import uvicorn_argv
from foyer.devstack.stack import ROOT

pytestmark = pytest.mark.integration
OFFSET = 1000  # beside a developer's own `make dev` on the default ports
START_TIMEOUT = 300


@dataclass
class RunningStack:
    process: subprocess.Popen[str]
    state_dir: Path
    lines: list[str] = field(default_factory=list)

    @property
    def description(self) -> dict[str, Any]:
        return dict(json.loads((self.state_dir / "stack.json").read_text()))

    def descendants(self) -> list[int]:
        """Every process below `make dev` (read from /proc: no extra dependency)."""
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


def _read(process: subprocess.Popen[str], lines: list[str], ready: threading.Event) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        if READY in line:
            ready.set()
    ready.set()  # EOF: the stack died; the waiter checks the exit code


def _listening(port_number: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port_number)) == 0


@pytest.fixture(scope="module")
def devstack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    state_dir = tmp_path_factory.mktemp("devstack")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FOYER_"))}
    env["COLUMNS"] = "200"
    # Its own process group, like a terminal's foreground job: Ctrl-C signals the whole group.
    process = subprocess.Popen(
        ["make", "--no-print-directory", "dev", f"DEV_ARGS=--state-dir {state_dir} --port-offset {OFFSET}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    running = RunningStack(process, state_dir)
    ready = threading.Event()
    threading.Thread(target=_read, args=(process, running.lines, ready), daemon=True).start()
    if not ready.wait(START_TIMEOUT) or process.poll() is not None:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("the dev stack never reached its ready banner:\n" + "".join(running.lines[-60:]))
    yield running
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_every_app_answers_health(devstack: RunningStack) -> None:
    apps = devstack.description["apps"]
    assert isinstance(apps, dict)
    assert {"catalog", "inventory"} <= apps.keys()
    for name, url in apps.items():
        assert url == f"http://127.0.0.1:{port(name, OFFSET)}"
        response = httpx.get(f"{url}/health", timeout=5)
        assert response.status_code == 200, name
        assert response.json()["service"] == name


def test_stack_file_describes_what_terraform_created(devstack: RunningStack) -> None:
    described = devstack.description
    assert described["emulator"]["endpoint"] == f"http://127.0.0.1:{port('emulator', OFFSET)}"
    assert set(described["tables"]) >= {"catalog", "inventory"}


def test_demo_catalog_is_seeded_with_stock(devstack: RunningStack) -> None:
    apps = devstack.description["apps"]
    assert isinstance(apps, dict)
    skus: list[str] = []
    cursor = None
    while True:
        params = {"limit": "10", **({"cursor": cursor} if cursor else {})}
        page = httpx.get(f"{apps['catalog']}/products", params=params, timeout=10).json()
        skus += [item["sku"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(set(skus)) >= 20
    availability = httpx.get(
        f"{apps['inventory']}/availability", params=[("sku", s) for s in skus[:5]], timeout=10
    )
    assert availability.status_code == 200
    assert len(availability.json()["items"]) == 5


def test_an_app_started_alone_with_uvicorn_finds_the_stack(devstack: RunningStack, tmp_path: Path) -> None:
    """No AWS variables at all: the app reads endpoint, region and table from the stack file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FOYER_", "TABLE_NAME"))}
    env["FOYER_STACK_FILE"] = str(devstack.state_dir / "stack.json")
    free = port("catalog", OFFSET + 50)
    alone = subprocess.Popen(uvicorn_argv("services.catalog.app:app", free), cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{free}/products?limit=3", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("uvicorn alone never answered")
        assert response.status_code == 200, response.text
        assert len(response.json()["items"]) == 3
    finally:
        alone.terminate()
        alone.wait(10)


def test_ctrl_c_stops_everything(devstack: RunningStack) -> None:
    """Runs last in this module (file order): Ctrl-C leaves no process and no listener behind."""
    apps = devstack.description["apps"]
    assert isinstance(apps, dict)
    ports = [port(name, OFFSET) for name in [*apps, "emulator"]]
    below = devstack.descendants()
    assert len(below) >= len(apps) + 2  # the stack itself, the emulator, every app
    os.killpg(devstack.process.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
    devstack.process.wait(60)
    time.sleep(0.5)
    assert any("stopping" in line for line in devstack.lines), "".join(devstack.lines[-30:])
    assert [p for p in ports if _listening(p)] == []
    assert [pid for pid in below if Path(f"/proc/{pid}").exists()] == []
    assert not (devstack.state_dir / "stack.json").exists()
