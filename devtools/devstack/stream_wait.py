"""Waiting for a table's stream to grow: the emulator's side channel the local relays long-poll.

Lambda reads a DynamoDB stream with GetRecords, which answers at once, records or not; the local
relays would have to poll it in rounds. The emulator (devtools.devstack.moto_server) counts each
table's stream records and answers `GET /_foyer/streams/wait?table=A&table=B&after=N&timeout=S`
once the named tables hold more than N records between them, or after S seconds, with every named
table's count. A relay reads its streams (with GetRecords, as Lambda does) when that answer says
they grew: a record is read when it is written, as an SQS long poll receives a message when it is
sent. This module is the client and the shared names; it imports nothing from moto.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import httpx

WAIT_PATH = "/_foyer/streams/wait"
MAX_WAIT_SECONDS = 20.0  # as long as SQS' longest poll


def total(counts: Mapping[str, int]) -> int:
    """The records of every table in `counts`: what `after` compares with."""
    return sum(counts.values())


def wait_for_records(
    endpoint: str, tables: Sequence[str], seen: Mapping[str, int], timeout: float, *, client: httpx.Client
) -> dict[str, int]:
    """Each table's stream record count, once the tables hold more records than `seen` or after
    `timeout` seconds (at most MAX_WAIT_SECONDS), whichever comes first."""
    wait = min(max(timeout, 0.0), MAX_WAIT_SECONDS)
    params: list[tuple[str, str | int | float | bool | None]] = [("table", table) for table in tables]
    params += [("after", total({table: seen.get(table, 0) for table in tables})), ("timeout", wait)]
    response = client.get(f"{endpoint}{WAIT_PATH}", params=params, timeout=wait + 10.0)
    response.raise_for_status()
    counts = response.json()["records"]
    return {table: int(counts.get(table, 0)) for table in tables}
