"""foyer.events: every public name resolves to its module's object, imported when first asked for."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import foyer.events

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("name", foyer.events.__all__)
def test_each_public_name_is_its_modules_object(name: str) -> None:
    home = importlib.import_module(f"foyer.events.{foyer.events._HOME[name]}")
    assert getattr(foyer.events, name) is getattr(home, name)
    assert name in dir(foyer.events)


def test_every_name_has_a_home_and_nothing_else_does() -> None:
    assert sorted(foyer.events._HOME) == sorted(foyer.events.__all__)
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        foyer.events.Nope  # noqa: B018


def test_importing_a_writers_names_loads_neither_the_consumer_nor_the_relay() -> None:
    code = (
        "import sys; from foyer.events import Outbox, ProcessedEvents, new_event; "
        "print(*(f'foyer.events.{m}' in sys.modules for m in ('outbox', 'consumer', 'relay')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "False", "False"]
