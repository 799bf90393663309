"""`python -m devtools.devstack.relays TABLE [TABLE ...] --bus BUS`: the local stack's outbox relays.

In AWS each service table's stream feeds a relay Lambda (`foyer.events.handler`) through an event
source mapping; the emulator runs no Lambda, so locally this process plays the mapping: it reads each
table's stream with GetRecords and hands every page to the same `Relay.on_stream`, as a Lambda event,
until SIGINT or SIGTERM. It reads a stream when the emulator says it grew (a long poll,
devtools.devstack.stream_wait), so a record is relayed when it is written, as Lambda relays the
records of a shard it is already reading, rather than in fixed rounds.

What a stream batch leaves behind (a failed publish, a crash before the removal) stays pending in
the outbox: the table is then drained through its sparse index (`Relay.drain`) at the next wake or
idle wait, and so is every table once at the start, for events written while no relay ran. A failed
read or drain is logged and tried again: nothing leaves the outbox unpublished.

A fault option, off by default: `FOYER_RELAY_FAULT=crash-after-publish` makes half the removals
after a publish fail as if the process died between the two (`CrashingOutbox`), so a later drain
publishes those events again with the same ids, and a developer sees the consumers deduplicate them.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import os
import random
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from types import FrameType
from typing import TYPE_CHECKING, Any

from foyer.dynamodb import Table
from foyer.events import Outbox, Relay

if TYPE_CHECKING:
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
    from mypy_boto3_dynamodbstreams.type_defs import RecordTypeDef

log = logging.getLogger(__name__)
# How long an idle relay waits for a stream to grow before it looks again (owed drains, `stop`);
# a write ends the wait at once, as a message ends an SQS long poll.
IDLE_WAIT_SECONDS = 1.0
PAGE_SIZE = 100  # records per GetRecords: the relays' mappings' batch size (terraform/modules/platform)
FAULT_VARIABLE = "FOYER_RELAY_FAULT"
CRASH_AFTER_PUBLISH = "crash-after-publish"
CRASH_RATE = 0.5  # of removals: most orders meet the crash, and every event still leaves in a few rounds

# `counts = wait(seen, timeout)`: each table's stream record count once they grew past `seen`.
Wait = Callable[[Mapping[str, int], float], dict[str, int]]


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


class StreamFeed:
    """One table's relay fed by the table's stream, as its event source mapping feeds the relay Lambda."""

    def __init__(self, relay: Relay, streams: DynamoDBStreamsClient, stream_arn: str) -> None:
        self.relay = relay
        self.streams = streams
        self.stream_arn = stream_arn
        self.region = stream_arn.split(":")[3]
        self.drain_owed = True  # events written before the feed opened are in the outbox only
        self._iterator: str | None = None

    @property
    def table_name(self) -> str:
        return self.relay.outbox.table.name

    def read(self) -> int:
        """Drain the outbox if owed, then hand the records the stream gained to the relay, a page per
        Lambda event; the number of records handed over."""
        if self._iterator is None:
            self._iterator = self._latest()  # before the drain: a record written between is not missed
        if self.drain_owed:
            self.relay.drain()
            self.drain_owed = False
        handed = 0
        while self._iterator is not None:
            page = self.streams.get_records(ShardIterator=self._iterator, Limit=PAGE_SIZE)
            records = page.get("Records", [])
            if not records:
                return handed
            self._iterator = page.get("NextShardIterator")
            handed += len(records)
            event = {"Records": [self._lambda_record(record) for record in records]}
            try:
                failures = self.relay.on_stream(event)["batchItemFailures"]
            except Exception:  # the events stay pending in the outbox: the owed drain sends them
                log.exception("stream batch failed", extra={"table": self.table_name})
                failures = [{}]
            if failures:
                self.drain_owed = True
        return handed

    def _latest(self) -> str:
        stream = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        shards = stream.get("Shards", [])
        if not shards:
            raise RuntimeError(f"{self.stream_arn} has no shard")
        return self.streams.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=shards[-1]["ShardId"], ShardIteratorType="LATEST"
        )["ShardIterator"]

    def _lambda_record(self, record: RecordTypeDef) -> dict[str, Any]:
        """The record as a stream event source mapping puts it in the Lambda event (JSON, with its
        source's ARN and region)."""
        as_json: dict[str, Any] = json.loads(json.dumps(record, default=_json_value))
        return {**as_json, "eventSourceARN": self.stream_arn, "awsRegion": self.region}


def _json_value(value: object) -> object:
    """How Lambda's JSON event carries what boto3 parsed: epoch seconds and base64 text."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(f"{type(value).__name__} is not JSON")


def serve(feeds: Sequence[StreamFeed], stop: threading.Event, wait: Wait) -> None:
    """Read each feed whose stream grew (or that owes a drain) until `stop` is set, long-polling
    `wait` in between."""
    seen: dict[str, int] = {}
    grown = {feed.table_name for feed in feeds}
    while not stop.is_set():
        for feed in feeds:
            if feed.table_name in grown or feed.drain_owed:
                try:
                    feed.read()
                except Exception:  # the next wake or idle wait reads it again
                    log.exception("relay read failed", extra={"table": feed.table_name})
                    feed.drain_owed = True
        try:
            counts = wait(seen, IDLE_WAIT_SECONDS)
        except Exception:  # the emulator restarting, say: look again after an idle wait
            log.exception("waiting for the streams failed")
            stop.wait(IDLE_WAIT_SECONDS)
            continue
        grown = {table for table, count in counts.items() if count > seen.get(table, 0)}
        seen = counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.devstack.relays", description=__doc__)
    parser.add_argument("tables", nargs="+", help="the service tables whose outbox to relay")
    parser.add_argument("--bus", required=True, help="the EventBridge bus to publish to")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s relays %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per long poll says nothing
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    fault = os.environ.get(FAULT_VARIABLE, "")
    if fault:
        log.warning("%s=%s: half the removals after a publish fail as a crash would", FAULT_VARIABLE, fault)
    import boto3
    import httpx

    from devtools.devstack.stream_wait import wait_for_records

    # Where the emulator is: AWS_ENDPOINT_URL, set by the local stack, as for every client here.
    dynamodb, streams = boto3.client("dynamodb"), boto3.client("dynamodbstreams")
    feeds = [
        StreamFeed(
            Relay(outbox_for(Table(name), fault), args.bus),
            streams,
            dynamodb.describe_table(TableName=name)["Table"]["LatestStreamArn"],
        )
        for name in args.tables
    ]
    with httpx.Client() as client:

        def wait(seen: Mapping[str, int], timeout: float) -> dict[str, int]:
            return wait_for_records(streams.meta.endpoint_url, args.tables, seen, timeout, client=client)

        serve(feeds, stop, wait)
    return 0


if __name__ == "__main__":
    sys.exit(main())
