"""Where an order's time from `POST /orders` to CONFIRMED goes, hop by hop (pure: no I/O).

The saga's critical path is three hops, each an event written by one service (to its outbox, in the
transaction of its state change) and acted on by the next: OrderPlaced -> inventory, StockReserved
-> payments, PaymentAuthorized -> orders. Each hop splits into three waits, read from stamps the
stack already writes:
- outbox -> relayed: the envelope's `time` (the write) to the SQS message's `SentTimestamp` (the
  relay's publish; EventBridge delivers to SQS within the same call locally);
- relayed -> received: to the message's `ApproximateFirstReceiveTimestamp` (the poller's receive);
- received -> handled: to the consumer's "event processed" log line (the handler's work, and that
  of the messages ahead of it in its batch).
Before the first hop, the POST until OrderPlaced is written; after the last, OrderConfirmed's write
until the client's poll sees it. All clocks are the one machine's.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from foyer.contracts import OrderConfirmed, OrderPlaced, PaymentAuthorized, StockReserved

# The critical path: each event and the consumer (`<app>-<consumer>` of the apps map) whose reaction
# to it writes the next event. A consumer's lines carry its function's name as `service`
# (`<prefix>-<app>-<consumer>`: devtools.devstack.consumers sets up logging before the handler does).
HOPS: tuple[tuple[str, str], ...] = (
    (OrderPlaced.event_type, "inventory-stock"),
    (StockReserved.event_type, "payments-charges"),
    (PaymentAuthorized.event_type, "orders-saga"),
)
PARTS = ("outbox -> relayed", "relayed -> received", "received -> handled")


@dataclass(frozen=True)
class Handled:
    """One consumer's "event processed" line, its stamps in epoch seconds."""

    sent: float
    first_received: float
    logged: float


@dataclass(frozen=True)
class OrderTrace:
    """One order's timing: when the client posted it and saw it CONFIRMED (epoch seconds), and its
    timeline's steps (`type -> (event id, written at)`)."""

    posted: float
    confirmed_seen: float
    steps: Mapping[str, tuple[str, float]]


def handled_events(lines: Iterable[str]) -> dict[str, dict[str, Handled]]:
    """`event id -> {service: Handled}` from the stack's output lines (`name | {json}`); the first
    processing of each wins (a redelivery's line is later, and not on the path)."""
    found: dict[str, dict[str, Handled]] = {}
    for line in lines:
        if '"event processed"' not in line:
            continue
        try:
            entry = json.loads(line.split("|", 1)[1])
            event_id, service = entry["event_id"], entry["service"]
            handled = Handled(
                sent=int(entry["sent_timestamp"]) / 1000,
                first_received=int(entry["first_receive_timestamp"]) / 1000,
                logged=datetime.fromisoformat(entry["timestamp"]).timestamp(),
            )
        except (IndexError, KeyError, TypeError, ValueError):
            continue  # not a consumer's JSON line, or one without SQS's stamps
        found.setdefault(event_id, {}).setdefault(service, handled)
    return found


def _by(handled: Mapping[str, Handled], consumer: str) -> Handled:
    """The line of `consumer` among one event's lines (KeyError when it has none)."""
    for service, line in handled.items():
        if service == consumer or service.endswith(f"-{consumer}"):
            return line
    raise KeyError(consumer)


def order_parts(trace: OrderTrace, handled: Mapping[str, Mapping[str, Handled]]) -> dict[str, float] | None:
    """The order's waits in seconds (`"OrderPlaced: outbox -> relayed"`, ...), None when a stamp
    is missing (a line not yet read, say)."""
    parts: dict[str, float] = {}
    try:
        first, last = OrderPlaced.event_type, OrderConfirmed.event_type
        parts[f"POST -> {first} written"] = trace.steps[first][1] - trace.posted
        for event_type, service in HOPS:
            event_id, written = trace.steps[event_type]
            hop = _by(handled.get(event_id, {}), service)
            waits = (hop.sent - written, hop.first_received - hop.sent, hop.logged - hop.first_received)
            parts.update(
                {f"{event_type} -> {service}: {part}": wait for part, wait in zip(PARTS, waits, strict=True)}
            )
        parts[f"{last} written -> client sees it"] = trace.confirmed_seen - trace.steps[last][1]
    except KeyError:
        return None
    return parts


def medians(orders: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Each part's median over `orders` (the parts of the first order, in its order)."""
    if not orders:
        return {}
    return {part: statistics.median(order[part] for order in orders) for part in orders[0]}
