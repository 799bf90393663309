"""The dev stack the end-to-end tests share: started once (`make dev` on shifted ports), stopped by
the Ctrl-C test, which runs after every other test that uses it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devtools.devstack.stack import ROOT
from e2e.devstack import OFFSET, RunningStack, start

STOPS_THE_STACK = "stops_the_stack"


@pytest.fixture(scope="session")
def devstack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    state_dir = tmp_path_factory.mktemp("devstack")
    argv = ["make", "--no-print-directory", "dev", f"DEV_ARGS=--state-dir {state_dir} --port-offset {OFFSET}"]
    running = start(argv, cwd=ROOT, state_dir=state_dir)
    yield running
    running.kill()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run every test that uses the shared stack together, then the tests marked `stops_the_stack`,
    before any later module starts a stack of its own (its ports would clash with the shared one's,
    and one stack at a time is what this machine can run)."""
    stoppers = [item for item in items if item.get_closest_marker(STOPS_THE_STACK)]
    if not stoppers:
        return
    rest = [item for item in items if item not in stoppers]
    uses = ["devstack" in getattr(item, "fixturenames", ()) for item in rest]
    if not any(uses):
        items[:] = rest + stoppers
        return
    first = uses.index(True)
    users = [item for item, used in zip(rest, uses, strict=True) if used]
    after = [item for item, used in zip(rest[first:], uses[first:], strict=True) if not used]
    items[:] = rest[:first] + users + stoppers + after
