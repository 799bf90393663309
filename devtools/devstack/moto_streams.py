"""DynamoDB streams in the emulator as AWS keeps them, and the wait the local relays long-poll.

moto hands every stream record to each event source mapping of the table, enabled or not, and when
the (Docker-less, so failing) invocation answers anything, it empties the shard: with the relays'
mappings created disabled (the local stack runs them itself), every write erased the stream and
cost a Lambda invocation attempt. A disabled mapping invokes nothing in AWS, and a shard keeps its
records for 24 hours; here a disabled mapping is skipped and the shard keeps its records.

A cancelled TransactWriteItems restores a deep copy of each table it touched (moto_server.py), the
stream with it: a copy of every record ever written on each transaction, and a shard object that
the iterators already handed out no longer read, so a reader stopped seeing new records. Here the
copy keeps the records it had (they never change once written) in a new list, which rolls back
what the cancelled transaction added, and an iterator reads its table's current shard.

Each record added also counts towards its table's total, and `GET <stream_wait.WAIT_PATH>` answers
when the named tables' totals grow (devtools.devstack.stream_wait describes the exchange).
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import StreamRecord, StreamShard
from moto.dynamodbstreams.models import ShardIterator
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

from devtools.devstack.stream_wait import MAX_WAIT_SECONDS, WAIT_PATH

_records = threading.Condition()
_counts: dict[str, int] = {}  # table name -> stream records added since the emulator started
_dispatch = DomainDispatcherApplication.__call__
_iterator_get = ShardIterator.get

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def _add(self: StreamShard, old: Item | None, new: Item | None) -> None:
    """moto's StreamShard.add, invoking only enabled mappings, then counting the record."""
    view_type = self.table.stream_specification["StreamViewType"]  # type: ignore[index]
    event_name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    sequence = len(self.items) + self.starting_sequence_number
    self.items.append(StreamRecord(self.table, view_type, event_name, old, new, sequence))
    from moto.awslambda.utils import get_backend

    sent = None
    for arn, mapping in self.table.lambda_event_source_mappings.items():
        if not getattr(mapping, "enabled", True):
            continue
        sent = get_backend(self.account_id, arn.split(":")[3]).send_dynamodb_items(
            arn, self.items, mapping.event_source_arn
        )
    if sent:
        self.items = []  # moto's behaviour for a mapping it did invoke
    with _records:
        _counts[self.table.name] = _counts.get(self.table.name, 0) + 1
        _records.notify_all()


def _copy_shard(self: StreamShard, memo: dict[int, Any]) -> StreamShard:
    """A table's deep copy takes its shard with the same records in a list of its own."""
    copied = copy.copy(self)
    memo[id(self)] = copied
    copied.table = memo.get(id(self.table), self.table)
    copied.items = list(self.items)
    return copied


def _get_from_current_shard(self: ShardIterator, limit: int = 1000) -> dict[str, Any]:
    """moto's ShardIterator.get, on the shard its table has now (a restored table has a new one)."""
    table = self.streams_backend.dynamodb.tables.get(self.stream_shard.table.name)
    if table is not None and table.stream_shard is not None:
        self.stream_shard = table.stream_shard
    found: dict[str, Any] = _iterator_get(self, limit)
    return found


def counts_after(tables: Iterable[str], after: int, timeout: float) -> dict[str, int]:
    """The named tables' record counts once they sum to more than `after`, or after `timeout` s."""
    names = list(tables)

    def grown() -> bool:
        return sum(_counts.get(name, 0) for name in names) > after

    with _records:
        _records.wait_for(grown, timeout=min(max(timeout, 0.0), MAX_WAIT_SECONDS))
        return {name: _counts.get(name, 0) for name in names}


def _wait_app(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    query = parse_qs(environ.get("QUERY_STRING", ""))
    try:
        after = int(query.get("after", ["0"])[0])
        timeout = float(query.get("timeout", ["0"])[0])
    except ValueError:
        body = json.dumps({"title": "after and timeout must be numbers", "status": 400}).encode()
        start_response("400 Bad Request", [("Content-Type", "application/problem+json")])
        return [body]
    counts = counts_after(query.get("table", []), after, timeout)
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps({"records": counts}).encode()]


def _dispatch_with_wait(
    self: DomainDispatcherApplication, environ: dict[str, Any], start_response: StartResponse
) -> Any:
    if environ.get("PATH_INFO") == WAIT_PATH:
        return _wait_app(environ, start_response)
    return _dispatch(self, environ, start_response)


def install() -> None:
    """Keep stream records from disabled mappings and across cancelled transactions, and serve the
    wait (idempotent)."""
    StreamShard.add = _add  # type: ignore[method-assign]
    StreamShard.__deepcopy__ = _copy_shard  # type: ignore[attr-defined]
    ShardIterator.get = _get_from_current_shard  # type: ignore[method-assign]
    DomainDispatcherApplication.__call__ = _dispatch_with_wait  # type: ignore[method-assign]
