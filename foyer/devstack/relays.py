"""`python -m foyer.devstack.relays TABLE [TABLE ...] --bus BUS`: the outbox relays, run as the local stack's.

In AWS each service table's stream feeds a relay Lambda (`foyer.events.handler`); the emulator runs no
Lambda, so locally the same `Relay` drains each table's outbox through its sparse index, a few times a
second, until SIGINT or SIGTERM. A failed drain is logged and tried again on the next round: the
events stay in the outbox until they are published, which is the point of an outbox.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from foyer.dynamodb import Table
from foyer.events import Outbox, Relay

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 0.2  # how long an event waits at most before a round picks it up


def drain_round(relays: Sequence[Relay]) -> int:
    """One pass over every relay; the number of events published."""
    published = 0
    for relay in relays:
        try:
            published += len(relay.drain().published)
        except Exception:  # the next round tries again; nothing leaves the outbox unpublished
            log.exception("relay round failed", extra={"table": relay.outbox.table.name})
    return published


def serve(relays: Sequence[Relay], stop: threading.Event, interval: float = INTERVAL_SECONDS) -> None:
    """Drain every outbox each `interval` seconds until `stop` is set."""
    while not stop.is_set():
        drain_round(relays)
        stop.wait(interval)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m foyer.devstack.relays", description=__doc__)
    parser.add_argument("tables", nargs="+", help="the service tables whose outbox to relay")
    parser.add_argument("--bus", required=True, help="the EventBridge bus to publish to")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s relays %(levelname)s %(message)s")
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    serve([Relay(Outbox(Table(name)), args.bus) for name in args.tables], stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
