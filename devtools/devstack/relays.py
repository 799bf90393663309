"""`python -m devtools.devstack.relays TABLE [TABLE ...] --bus BUS`: the local stack's outbox relays.

In AWS each service table's stream feeds a relay Lambda (`foyer.events.handler`); the emulator runs no
Lambda, so locally the same `Relay` drains each table's outbox through its sparse index, a few times a
second, until SIGINT or SIGTERM. A failed drain is logged and tried again on the next round: the
events stay in the outbox until they are published, which is the point of an outbox.

A fault option, off by default: `FOYER_RELAY_FAULT=crash-after-publish` makes half the removals
after a publish fail as if the process died between the two (`CrashingOutbox`), so the next round
publishes those events again with the same ids, and a developer sees the consumers deduplicate them.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from foyer.dynamodb import Table
from foyer.events import Outbox, Relay

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 0.2  # how long an event waits at most before a round picks it up
FAULT_VARIABLE = "FOYER_RELAY_FAULT"
CRASH_AFTER_PUBLISH = "crash-after-publish"
CRASH_RATE = 0.5  # of removals: most orders meet the crash, and every event still leaves in a few rounds


class SimulatedCrash(RuntimeError):
    """The relay "died" after publishing an event and before removing it from the outbox."""


class CrashingOutbox(Outbox):
    """An outbox whose removal (the relay's step after a publish) fails at `rate`, as a crash between
    the publish and the removal would leave it: the event still pending, already published."""

    def __init__(self, table: Table, *, rate: float = CRASH_RATE, rng: random.Random | None = None) -> None:
        super().__init__(table)
        self.rate = rate
        self.rng = rng or random.Random()  # noqa: S311 - chooses faults, guards nothing

    def remove(self, event_id: str) -> None:
        if self.rng.random() < self.rate:
            raise SimulatedCrash(f"{FAULT_VARIABLE}={CRASH_AFTER_PUBLISH}: {event_id} published, not removed")
        super().remove(event_id)


def outbox_for(table: Table, fault: str) -> Outbox:
    """The outbox of `table`, crashing after publishes when `fault` (FOYER_RELAY_FAULT) asks for it.
    Raises ValueError for a value it does not know, so a typo never runs without the fault."""
    if fault not in ("", CRASH_AFTER_PUBLISH):
        raise ValueError(f"{FAULT_VARIABLE}={fault!r}: expected {CRASH_AFTER_PUBLISH!r} or nothing")
    return CrashingOutbox(table) if fault else Outbox(table)


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
    parser = argparse.ArgumentParser(prog="python -m devtools.devstack.relays", description=__doc__)
    parser.add_argument("tables", nargs="+", help="the service tables whose outbox to relay")
    parser.add_argument("--bus", required=True, help="the EventBridge bus to publish to")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s relays %(levelname)s %(message)s")
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    fault = os.environ.get(FAULT_VARIABLE, "")
    if fault:
        log.warning("%s=%s: half the removals after a publish fail as a crash would", FAULT_VARIABLE, fault)
    serve([Relay(outbox_for(Table(name), fault), args.bus) for name in args.tables], stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
