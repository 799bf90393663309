"""Event consumers behind SQS: the queue an EventBridge rule feeds, mapped to a Lambda function.

Lambda hands the function a batch of SQS records; each body is the EventBridge event whose `detail`
is our envelope. A consumer declares one routing table, event contract (foyer.contracts: a type at
one version) to function; the types and versions it accepts are that table's keys. `Consumer.handle`
reads every record with `foyer.events.parse` (only those types and versions), runs it with the
envelope's correlation id (so the consumer's log lines, and the events it emits, carry the id of the
request that started it all), calls the function routed for its type and version, and answers
Lambda's partial batch response: a record that raises fails alone, its batch neighbours are deleted.
Malformed and unknown-version events are logged with their reason and fail too, so the queue's
redrive policy moves them to the DLQ after `maxReceiveCount` receives.
The event source mapping must enable `ReportBatchItemFailures`; without it a returned failure list
is ignored and the whole batch counts as a success.

Written here rather than taken from Powertools' batch utility: importing
`aws_lambda_powertools.utilities.batch` pulls in Powertools' parser models, its event data classes,
its logger and jmespath, many times this module's import on every consumer's cold start, and what
we need of it is the forty lines below. For a
standard queue only: a FIFO queue would need every record after the first failure reported as
failed too, to keep its order.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterable, Mapping
from functools import cache, partial
from typing import Any, TypeVar

from foyer import correlation
from foyer.contracts.base import EventData
from foyer.events.batch import records
from foyer.events.envelope import Envelope, parse
from foyer.events.exceptions import AlreadyProcessed, EventRejected, TooEarly
from foyer.startup import check_settings_in_lambda

BatchResponse = dict[str, list[dict[str, str]]]
LambdaHandler = Callable[[Mapping[str, Any], Any], BatchResponse]
log = logging.getLogger("foyer.events.consumer")
Target = TypeVar("Target")


class Consumer:
    """Dispatches each record of an SQS batch to the function its event's contract is routed to.

    `routes` is the consumer's one routing table: an event contract (a type at one version) to the
    function that commits its effect (or raises): AlreadyProcessed acknowledges a redelivery,
    EventRejected refuses the event for good, TooEarly defers it to its redelivery, anything else
    fails the record for a retry. A type or version not in the table is refused (to the DLQ).
    """

    def __init__(self, routes: Mapping[type[EventData], Callable[[Envelope], None]]) -> None:
        self.routes = {contract.key(): apply for contract, apply in routes.items()}
        self.accepted = accepted(routes)

    def handle(self, event: Mapping[str, Any]) -> BatchResponse:
        """Process every record of a Lambda SQS event; return `{"batchItemFailures": [...]}` naming
        the message id of each record that failed (empty when all succeeded). Raises NotABatch
        for an event that is not an SQS batch."""
        failures = [
            {"itemIdentifier": record["messageId"]}
            for record in sqs_records(event)
            # Each record in its own context: one record's correlation id never leaks to the next.
            if not contextvars.copy_context().run(self._consume, record)
        ]
        return {"batchItemFailures": failures}

    def _consume(self, record: Mapping[str, Any]) -> bool:
        attributes = record.get("attributes", {})
        about: dict[str, Any] = {
            "message_id": record["messageId"],
            "receive_count": attributes.get("ApproximateReceiveCount"),
            # Epoch milliseconds SQS stamps: with the envelope's time and the line's own, where an
            # event's latency went (relay, queue, handler: bench/order_latency.py reads them).
            "sent_timestamp": attributes.get("SentTimestamp"),
            "first_receive_timestamp": attributes.get("ApproximateFirstReceiveTimestamp"),
        }
        try:
            envelope = parse(record.get("body", ""), self.accepted)
        except EventRejected as exc:
            log.error("event rejected", extra={**about, "reason": str(exc)})
            return False
        correlation.set_current(envelope.correlation_id)
        about.update(event_id=envelope.id, event_type=envelope.type, event_version=envelope.version)
        try:
            self.routes[envelope.type, envelope.version](envelope)
        except AlreadyProcessed:
            log.info("event already processed", extra=about)
        except EventRejected as exc:
            log.error("event rejected", extra={**about, "reason": str(exc)})
            return False
        except TooEarly as exc:
            log.warning("event deferred to its redelivery", extra={**about, "reason": str(exc)})
            return False
        except Exception:
            log.exception("event failed; it will be retried", extra=about)
            return False
        else:
            log.info("event processed", extra=about)
        return True


def bound(
    target: Target, routes: Mapping[type[EventData], Callable[[Target, Envelope], None]]
) -> dict[type[EventData], Callable[[Envelope], None]]:
    """A routing table of methods (`{OrderPlaced: StockKeeper.reserve}`) with `target` bound to each:
    the table stays declared once, at module level, and its object is built per process."""
    return {contract: partial(react, target) for contract, react in routes.items()}


def accepted(contracts: Iterable[type[EventData]]) -> dict[str, frozenset[int]]:
    """Each event type among `contracts` with the versions of it they name."""
    versions: dict[str, set[int]] = {}
    for contract in contracts:
        versions.setdefault(contract.event_type, set()).add(contract.version)
    return {type_: frozenset(known) for type_, known in versions.items()}


def sqs_records(event: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The records of an SQS batch; NotABatch (logged) for any other event."""
    return records(event, "aws:sqs")


def lambda_handler(build: Callable[[], Consumer], *, settings: Callable[[], object]) -> LambdaHandler:
    """A Lambda entry point that hands each SQS batch to the consumer `build` makes on the first one
    (once per execution environment: logging and the table are set up then, not at import). In Lambda
    `settings`, the consumer's settings loader, runs now: a missing setting fails the init naming it,
    not the first batch (whose messages would be retried into the DLQ for a configuration error)."""
    check_settings_in_lambda(settings)
    consumer = cache(build)

    def handler(event: Mapping[str, Any], context: Any) -> BatchResponse:
        return consumer().handle(event)

    return handler
