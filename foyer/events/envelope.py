"""The versioned envelope every Foyer event travels in, and parsing it back from EventBridge or SQS.

On the bus an event is one EventBridge entry: `source` and `detail-type` are the envelope's, `detail`
is the whole envelope. An SQS queue behind a rule receives that EventBridge event as its message body,
so one parser reads a Lambda's EventBridge event, an SQS message body and the envelope itself.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from foyer import correlation
from foyer.contracts.base import EventData
from foyer.events.exceptions import MalformedEvent, UnsupportedVersion

# Type names are PascalCase words (`OrderPlaced`), sources dotted lowercase (`foyer.orders`): both
# go into EventBridge rule patterns, where a typo is a rule that silently matches nothing.
TYPE_PATTERN = r"^[A-Z][A-Za-z0-9]{0,63}$"
SOURCE_PATTERN = r"^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$"
Data = TypeVar("Data", bound=BaseModel)


class Envelope(BaseModel):
    """One event: what happened (`type` at schema `version`), where, when, in which request, and its data.

    `id` is the deduplication key downstream: a publish retried after a crash carries the same id.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=64)
    type: str = Field(pattern=TYPE_PATTERN)
    version: int = Field(ge=1, le=1000)
    source: str = Field(min_length=1, max_length=128, pattern=SOURCE_PATTERN)
    time: AwareDatetime
    correlation_id: str = Field(min_length=1, max_length=128)
    data: dict[str, Any]

    def to_json(self) -> str:
        """The envelope as compact JSON (what the outbox stores and the bus carries as `detail`)."""
        return self.model_dump_json()


def new_event(
    type_: str,
    data: Mapping[str, Any],
    *,
    source: str,
    version: int = 1,
    correlation_id: str | None = None,
    now: datetime | None = None,
) -> Envelope:
    """A new event with a fresh id, stamped with the current request's correlation id (or a new one)."""
    return Envelope(
        id=str(uuid.uuid4()),
        type=type_,
        version=version,
        source=source,
        time=now or datetime.now(UTC),
        correlation_id=correlation_id or correlation.get() or correlation.new_id(),
        data=dict(data),
    )


def envelope_of(
    payload: EventData, *, correlation_id: str | None = None, now: datetime | None = None
) -> Envelope:
    """A new event of `payload`'s contract (its type, version and source) carrying `payload`."""
    return new_event(
        payload.event_type,
        payload.to_data(),
        source=payload.source,
        version=payload.version,
        correlation_id=correlation_id,
        now=now,
    )


def parse(raw: str | bytes | Mapping[str, Any], accepted: Mapping[str, Collection[int]]) -> Envelope:
    """The envelope in an SQS message body, an EventBridge event or a bare envelope (JSON or parsed).

    `accepted` maps each event type this consumer handles to the versions it understands. Raises
    MalformedEvent when `raw` holds no valid envelope and UnsupportedVersion for a type or version
    outside `accepted`; both are EventRejected, which no retry can cure.
    """
    document = _document(raw)
    # An EventBridge event wraps the envelope in `detail`; an envelope has no `detail-type`.
    body = document.get("detail") if "detail-type" in document else document
    if not isinstance(body, Mapping):
        raise MalformedEvent("the EventBridge event's detail is not an object")
    try:
        envelope = Envelope.model_validate(body)
    except ValidationError as exc:
        raise MalformedEvent(f"not an event envelope: {_fields(exc)}") from None
    versions = frozenset(accepted.get(envelope.type, ()))
    if envelope.version not in versions:
        raise UnsupportedVersion(envelope.type, envelope.version, versions)
    return envelope


def read_data(envelope: Envelope, model: type[Data]) -> Data:
    """The envelope's `data` read as `model` (this consumer's view of the event's type and version).

    Raises MalformedEvent, naming the fields, when the data does not fit: a well-formed envelope can
    still carry data no retry will make readable.
    """
    try:
        return model.model_validate(envelope.data)
    except ValidationError as exc:
        raise MalformedEvent(f"{envelope.type} v{envelope.version} data: {_fields(exc)}") from None


def _fields(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in exc.errors())


def _document(raw: str | bytes | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(raw, Mapping):
        return raw
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedEvent(f"not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise MalformedEvent("the message body is not a JSON object")
    return document
