"""moto's server with DynamoDB requests served one at a time.

moto's DynamoDB backend takes no lock: TransactWriteItems checks each condition and writes item by
item, and a cancelled transaction restores a deep copy of every table it touched, taken when it
started, erasing writes other requests made meanwhile. Under concurrent requests the emulator
therefore lets conditional transactions pass on stale state (overselling) and loses committed
writes (measured: 21-24 of 50 one-unit reservations "succeeded" on a stock of 20). DynamoDB
isolates transactions; one lock around every DynamoDB action gives the emulator the same guarantee,
at a throughput local use never notices.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.dynamodb.responses import DynamoHandler

_lock = threading.RLock()
_call_action = DynamoHandler.call_action


def _serialized_call_action(self: Any) -> Any:
    with _lock:
        return _call_action(self)


def install() -> None:
    """Serialize every DynamoDB action of this process's moto backends (idempotent)."""
    DynamoHandler.call_action = _serialized_call_action  # type: ignore[method-assign]


if __name__ == "__main__":
    from moto.server import main

    install()
    main()
