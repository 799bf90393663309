"""Why an event was refused: the consumer lets that one message fail (alone) until it reaches its DLQ."""

from __future__ import annotations


class EventRejected(Exception):
    """A message that can never be processed as it is; retrying it unchanged cannot help."""


class MalformedEvent(EventRejected):
    """Not JSON, or not an envelope: a field missing, of the wrong type, or unexpected."""


class UnsupportedVersion(EventRejected):
    """A well-formed envelope of a type or version this consumer does not understand."""

    def __init__(self, type_: str, version: int, accepted: frozenset[int]) -> None:
        known = ", ".join(str(v) for v in sorted(accepted)) or "none"
        super().__init__(f"{type_} version {version} is not understood here (accepted: {known})")
        self.type = type_
        self.version = version
        self.accepted = accepted


class AlreadyProcessed(Exception):
    """The event's effect was committed before (SQS redelivered it, or the relay published it twice):
    nothing to do, and nothing wrong. A consumer acknowledges it."""

    def __init__(self, event_id: str) -> None:
        super().__init__(f"event {event_id} was processed before")
        self.event_id = event_id


class TooEarly(Exception):
    """The event came before one it follows (a payment result before the reservation it answers):
    the record fails without an error trace, and SQS redelivers it after the visibility timeout."""


class NotABatch(Exception):
    """The function was invoked with an event that is not the batch its event source mapping delivers
    (a rule or a caller wired straight to it): raised, so the invocation fails where AWS retries it
    or sends it to the function's failure destination, instead of being acknowledged unread."""
