"""Events (docs/architecture.md decision 4): the versioned envelope, the transactional outbox, the relay
to EventBridge, and processed-event records for idempotent consumers.

- `envelope`: `Envelope`, `new_event`, `parse` (EventBridge event, SQS body or bare envelope);
- `exceptions`: `EventRejected` and its kinds, for a message no retry can cure;
- `outbox`: the outbox items written in the state change's transaction;
- `relay`: publishing the outbox (stream-fed in AWS, `drain` locally);
- `processed`: recording an event's effect once;
- `consumer`: SQS batches dispatched by event type, with partial batch responses.
"""

from foyer.events.consumer import BatchResponse, Consumer, Route, lambda_handler
from foyer.events.envelope import Envelope, new_event, parse, read_data
from foyer.events.exceptions import (
    AlreadyProcessed,
    EventRejected,
    MalformedEvent,
    TooEarly,
    UnsupportedVersion,
)
from foyer.events.outbox import Outbox
from foyer.events.processed import ProcessedEvents
from foyer.events.relay import Relay, RelayResult

__all__ = [
    "AlreadyProcessed",
    "BatchResponse",
    "Consumer",
    "Envelope",
    "EventRejected",
    "MalformedEvent",
    "Outbox",
    "ProcessedEvents",
    "Relay",
    "RelayResult",
    "Route",
    "TooEarly",
    "UnsupportedVersion",
    "lambda_handler",
    "new_event",
    "parse",
    "read_data",
]
