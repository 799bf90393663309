"""The dev stack the end-to-end tests share: started once (`make dev` on shifted ports), stopped by
the Ctrl-C test, which runs after every other test that uses it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from e2e.devstack import OFFSET, RunningStack, start
from foyer.devstack.stack import ROOT

STOPS_THE_STACK = "stops_the_stack"


@pytest.fixture(scope="session")
def devstack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    state_dir = tmp_path_factory.mktemp("devstack")
    argv = ["make", "--no-print-directory", "dev", f"DEV_ARGS=--state-dir {state_dir} --port-offset {OFFSET}"]
    running = start(argv, cwd=ROOT, state_dir=state_dir)
    yield running
    running.kill()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests marked `stops_the_stack` right after the last other test that uses the stack
    (and so before another module starts a stack of its own: one at a time on this machine)."""
    stoppers = [item for item in items if item.get_closest_marker(STOPS_THE_STACK)]
    if not stoppers:
        return
    rest = [item for item in items if item not in stoppers]
    users = [i for i, item in enumerate(rest) if "devstack" in getattr(item, "fixturenames", ())]
    at = users[-1] + 1 if users else len(rest)
    items[:] = rest[:at] + stoppers + rest[at:]
