"""Events (docs/architecture.md, "Outbox and relay"): the versioned envelope, the transactional
outbox, the relay to EventBridge, and processed-event records for idempotent consumers.

- `envelope`: `Envelope`, `new_event`, `envelope_of` (a foyer.contracts payload's event), `parse`
  (EventBridge event, SQS body or bare envelope);
- `exceptions`: `EventRejected` and its kinds, for a message no retry can cure;
- `outbox`: the outbox items written in the state change's transaction;
- `relay`: publishing the outbox (stream-fed in AWS, `drain` locally);
- `processed`: recording an event's effect once;
- `consumer`: SQS batches dispatched by event contract (type and version), with partial batch
  responses.

Each name is imported from its module when first asked for (PEP 562): an HTTP handler that writes
events (orders' API: `new_event`, the outbox) never needs the consumer or the relay, about 1.2 ms of
its init (-X importtime), nor does a consumer need the relay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from foyer.lazy_names import lazy_names

if TYPE_CHECKING:
    from foyer.events.consumer import BatchResponse, Consumer, accepted, bound, lambda_handler, sqs_records
    from foyer.events.envelope import Envelope, envelope_of, new_event, parse, read_data
    from foyer.events.exceptions import (
        AlreadyProcessed,
        EventRejected,
        MalformedEvent,
        NotABatch,
        TooEarly,
        UnsupportedVersion,
    )
    from foyer.events.outbox import Outbox
    from foyer.events.processed import ProcessedEvents
    from foyer.events.relay import Relay, RelayResult

_MODULES = {
    "consumer": ("BatchResponse", "Consumer", "accepted", "bound", "lambda_handler", "sqs_records"),
    "envelope": ("Envelope", "envelope_of", "new_event", "parse", "read_data"),
    "exceptions": (
        "AlreadyProcessed",
        "EventRejected",
        "MalformedEvent",
        "NotABatch",
        "TooEarly",
        "UnsupportedVersion",
    ),
    "outbox": ("Outbox",),
    "processed": ("ProcessedEvents",),
    "relay": ("Relay", "RelayResult"),
}

__all__ = [
    "AlreadyProcessed",
    "BatchResponse",
    "Consumer",
    "Envelope",
    "EventRejected",
    "MalformedEvent",
    "NotABatch",
    "Outbox",
    "ProcessedEvents",
    "Relay",
    "RelayResult",
    "TooEarly",
    "UnsupportedVersion",
    "accepted",
    "bound",
    "envelope_of",
    "lambda_handler",
    "new_event",
    "parse",
    "read_data",
    "sqs_records",
]


__getattr__, __dir__ = lazy_names(__name__, _MODULES, __all__)
