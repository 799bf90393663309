"""The transactional outbox: an event is written in the same DynamoDB transaction as the state change
it announces, as an item of the service's own table, and published later by the relay.

Item shape (what the table needs, see docs/architecture.md):
- `pk` = `outbox#<event id>` (and `outbox` under the sort key of a table that has one);
- `event` = the envelope as JSON (a string: the bytes published are the bytes written, and floats,
  which DynamoDB's serializer refuses, survive);
- `outbox_pending` = `pending` and `outbox_at` = `<time>#<id>`: the keys of the sparse GSI `outbox`,
  so draining pending events is one Query of one index partition in time order, never a Scan. The
  relay deletes an item once published, which removes it from the index too.
The relay is fed by the table's stream (INSERT of an `outbox#` item) in AWS and by `drain` locally.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import UTC
from typing import Any

from pydantic import ValidationError

from foyer.dynamodb import Condition, Item, Table, single_key
from foyer.events.envelope import Envelope

PREFIX = "outbox#"
INDEX = "outbox"
PENDING_ATTRIBUTE = "outbox_pending"
ORDER_ATTRIBUTE = "outbox_at"
PENDING = "pending"
log = logging.getLogger("foyer.events.outbox")


def outbox_key(event_id: str, sort_key: str | None = None) -> dict[str, str]:
    return single_key(PREFIX + event_id, sort_key, "outbox")


def outbox_item(envelope: Envelope, sort_key: str | None = None) -> dict[str, Any]:
    """The table item that holds `envelope` until the relay has published it."""
    return {
        **outbox_key(envelope.id, sort_key),
        "event": envelope.to_json(),
        PENDING_ATTRIBUTE: PENDING,
        ORDER_ATTRIBUTE: f"{envelope.time.astimezone(UTC).isoformat()}#{envelope.id}",
    }


def is_outbox_item(item: Mapping[str, Any]) -> bool:
    pk = item.get("pk")
    return isinstance(pk, str) and pk.startswith(PREFIX) and isinstance(item.get("event"), str)


def envelope_of(item: Mapping[str, Any]) -> Envelope:
    """The envelope an outbox item holds (written by this module, so trusted: no version filter)."""
    return Envelope.model_validate_json(item["event"])


def readable(items: Iterable[Mapping[str, Any]]) -> Iterable[tuple[Mapping[str, Any], Envelope]]:
    """Each outbox item among `items` with its envelope. An item that holds no envelope is logged and
    skipped: it must not keep every event behind it from being published."""
    for item in items:
        if not is_outbox_item(item):
            continue
        try:
            yield item, envelope_of(item)
        except ValidationError:
            log.error("outbox item holds no envelope; left in place", extra={"pk": item.get("pk")})


class Outbox:
    """The outbox of one service table (`sort_key`: the table's sort key attribute, if it has one)."""

    def __init__(self, table: Table, *, sort_key: str | None = None) -> None:
        self.table = table
        self.sort_key = sort_key

    def put_op(self, envelope: Envelope) -> dict[str, Any]:
        """The TransactItems entry that adds `envelope` to the outbox: put it in the same
        `foyer.dynamodb.transact` call as the state change, so both happen or neither does."""
        return self.table.put_op(
            outbox_item(envelope, self.sort_key),
            condition=Condition("attribute_not_exists(#pk)", {"#pk": "pk"}),
        )

    def pending(
        self, *, limit: int = 100, start_key: Mapping[str, Any] | None = None
    ) -> tuple[list[Envelope], Item | None]:
        """Up to `limit` unpublished events, oldest first, and where the next page starts (or None)."""
        page = self.table.query(
            Condition("#p = :p", {"#p": PENDING_ATTRIBUTE}, {":p": PENDING}),
            index=INDEX,
            limit=limit,
            start_key=start_key,
        )
        return [envelope for _, envelope in readable(page.items)], page.last_key

    def remove(self, event_id: str) -> None:
        """Forget a published event (idempotent: removing it twice is harmless)."""
        self.table.delete(outbox_key(event_id, self.sort_key))
