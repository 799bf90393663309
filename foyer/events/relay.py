"""The relay: publishes the outbox to one EventBridge bus, then forgets what was published.

Publish first, remove second. A relay that dies in between leaves the item pending, so a later run
publishes it again with the same event id: at-least-once, and consumers deduplicate by id
(foyer.events.processed). An entry PutEvents refuses stays pending too and is retried by the next run.

In AWS a Lambda feeds `on_stream` with the table's stream (INSERTs of outbox items) and reports the
first failed record so Lambda retries from it; locally, and as the safety net for anything a stream
run left behind, `drain` queries the pending events through the outbox index.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from foyer import aws
from foyer.events.batch import records
from foyer.events.envelope import Envelope
from foyer.events.outbox import Outbox, readable

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef

# PutEvents takes at most 10 entries per call.
MAX_ENTRIES = 10
log = logging.getLogger("foyer.events.relay")


@dataclass
class RelayResult:
    """What one relay run did: the ids published (and removed from the outbox), and those that failed,
    with the error code EventBridge gave, still pending for the next run."""

    published: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def merge(self, other: RelayResult) -> None:
        self.published.extend(other.published)
        self.failed.update(other.failed)


class Relay:
    """Moves events from one table's outbox to one EventBridge bus."""

    def __init__(self, outbox: Outbox, bus_name: str, *, client: EventBridgeClient | None = None) -> None:
        self.outbox = outbox
        self.bus_name = bus_name
        self._given_client = client

    @property
    def client(self) -> EventBridgeClient:
        # Resolved on use: a Relay built at import time creates no client.
        return self._given_client or aws.client("events")

    def publish(self, envelopes: Sequence[Envelope]) -> RelayResult:
        """Publish `envelopes` in batches of at most 10 and remove each published one from the outbox."""
        result = RelayResult()
        for start in range(0, len(envelopes), MAX_ENTRIES):
            batch = envelopes[start : start + MAX_ENTRIES]
            sent = self._put_events(batch)
            for event_id in sent.published:
                self.outbox.remove(event_id)
            result.merge(sent)
        if result.failed:
            log.warning("events left pending in the outbox", extra={"failed": result.failed})
        return result

    def drain(self, *, page_size: int = 100) -> RelayResult:
        """Publish every event pending when called, oldest first (one pass; failures stay pending)."""
        result = RelayResult()
        start: Mapping[str, Any] | None = None
        while True:
            envelopes, start = self.outbox.pending(limit=page_size, start_key=start)
            result.merge(self.publish(envelopes))
            if start is None:
                return result

    def on_stream(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """Handle one DynamoDB stream batch (a Lambda event): publish the outbox INSERTs it carries.

        Returns the partial batch response of a stream event source mapping with
        ReportBatchItemFailures: the earliest record whose event failed, so Lambda retries the batch
        from there (the events after it that did go out are published again: harmless). Raises
        NotABatch for an event that is not a DynamoDB stream batch.
        """
        inserts = list(_outbox_inserts(records(event, "aws:dynamodb")))
        result = self.publish([envelope for _, envelope in inserts])
        first_failed = next((seq for seq, envelope in inserts if envelope.id in result.failed), None)
        failures = [] if first_failed is None else [{"itemIdentifier": first_failed}]
        return {"batchItemFailures": failures}

    def _put_events(self, batch: Sequence[Envelope]) -> RelayResult:
        entries: list[PutEventsRequestEntryTypeDef] = [
            {
                "Source": envelope.source,
                "DetailType": envelope.type,
                "Detail": envelope.to_json(),
                "Time": envelope.time,
                "EventBusName": self.bus_name,
            }
            for envelope in batch
        ]
        try:
            response = self.client.put_events(Entries=entries)
        except self.client.exceptions.ClientError as exc:
            # The whole call failed (after botocore's own retries): every entry stays pending.
            code = exc.response.get("Error", {}).get("Code", "ClientError")
            log.warning("PutEvents failed", extra={"error": code, "entries": len(batch)})
            return RelayResult(failed={envelope.id: code for envelope in batch})
        result = RelayResult()
        # Entries answer in request order; a failed one has an ErrorCode and no EventId.
        for envelope, answer in zip(batch, response.get("Entries", []), strict=False):
            if answer.get("ErrorCode") or not answer.get("EventId"):
                result.failed[envelope.id] = answer.get("ErrorCode") or "NoEventId"
            else:
                result.published.append(envelope.id)
        for envelope in batch[len(response.get("Entries", [])) :]:
            result.failed[envelope.id] = "NoAnswer"
        return result


def _outbox_inserts(batch: Iterable[Mapping[str, Any]]) -> Iterable[tuple[str, Envelope]]:
    """(sequence number, envelope) of each INSERT of an outbox item, in stream order."""
    for record in batch:
        if record.get("eventName") != "INSERT":
            continue  # MODIFY and REMOVE (the relay's own deletes among them) carry no new event
        change = record["dynamodb"]
        item = _outbox_attributes(change.get("NewImage") or {})
        for _, envelope in readable([item] if item else []):
            yield change["SequenceNumber"], envelope


def _outbox_attributes(image: Mapping[str, Any]) -> dict[str, str] | None:
    """The string attributes an outbox item is read by (`pk`, `event`), straight from the stream's
    attribute values, or None when the image has neither as a string. Only these two are read: the
    other items of the table may hold any type (binary is base64 text in the stream's JSON, which a
    deserializer expecting bytes refuses), and none of them is the relay's business."""
    strings = {name: _string(image.get(name)) for name in ("pk", "event")}
    if strings["pk"] is None or strings["event"] is None:
        return None
    return {name: value for name, value in strings.items() if value is not None}


def _string(value: Any) -> str | None:
    found = value.get("S") if isinstance(value, Mapping) else None
    return found if isinstance(found, str) else None
