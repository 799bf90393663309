"""foyer.events: an HTTP handler that writes events loads neither the consumer nor the relay."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


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
