"""Orders' Lambda init: what a cold start imports, and what a SnapStart snapshot holds besides."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

PROBE = """
import sys
import services.orders.handler
at_init = ("services.orders.api", "httpx", "foyer.signing", "foyer.events.consumer", "foyer.events.relay")
print(*(m in sys.modules for m in at_init))
import snapshot_restore_py
for func, args, kwargs in snapshot_restore_py.get_before_snapshot():  # as the runtime does
    func(*args, **kwargs)
print(*(m in sys.modules for m in ("httpx", "foyer.signing")))
"""


def test_a_cold_start_imports_neither_the_catalog_client_nor_the_event_consumer(tmp_path: Path) -> None:
    """Only placing an order reads the catalog over HTTP: httpx is imported then, not at init (and
    the HTTP handler never consumes or relays events). The snapshot's warm-up imports it."""
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(REPO),
        "AWS_LAMBDA_FUNCTION_NAME": "foyer-test-orders",
        "AWS_REGION": "eu-west-1",
        "TABLE_NAME": "foyer-test-orders",
        "FOYER_STACK_FILE": str(tmp_path / "absent.json"),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    at_init, after_warm_up = done.stdout.splitlines()[-2:]
    assert at_init == "True False False False False"  # the probe saw the app's real import
    assert after_warm_up == "True True"
