"""bench.latency_breakdown: an order's waits from its timeline and the consumers' log lines."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bench.latency_breakdown import OrderTrace, handled_events, medians, order_parts

T0 = 1_800_000_000.0  # epoch seconds


def processed(event_id: str, service: str, sent: float, received: float, logged: float) -> str:
    stamp = datetime.fromtimestamp(logged, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    entry = {
        "timestamp": stamp,
        "service": service,
        "message": "event processed",
        "event_id": event_id,
        "sent_timestamp": str(round(sent * 1000)),
        "first_receive_timestamp": str(round(received * 1000)),
    }
    return f"{service}-fn | {json.dumps(entry)}\n"


def test_each_hop_splits_into_relay_queue_and_handler_waits() -> None:
    zero = T0
    lines = [
        "orders | not json\n",
        processed("e1", "foyer-local-orders-timeline", zero + 0.3, zero + 0.9, zero + 1.0),
        processed("e1", "foyer-local-inventory-stock", zero + 0.3, zero + 0.4, zero + 0.5),
        processed("e1", "foyer-local-inventory-stock", zero + 0.3, zero + 2.4, zero + 2.5),  # redelivered
        processed("e2", "foyer-local-payments-charges", zero + 0.7, zero + 0.75, zero + 0.9),
        processed("e3", "foyer-local-orders-saga", zero + 1.2, zero + 1.3, zero + 1.35),
    ]
    trace = OrderTrace(
        posted=zero - 0.1,
        confirmed_seen=zero + 1.5,
        steps={
            "OrderPlaced": ("e1", zero + 0.0),
            "StockReserved": ("e2", zero + 0.5),
            "PaymentAuthorized": ("e3", zero + 0.9),
            "OrderConfirmed": ("e4", zero + 1.35),
        },
    )
    parts = order_parts(trace, handled_events(lines))
    assert parts is not None
    assert {part: round(wait, 3) for part, wait in parts.items()} == {
        "POST -> OrderPlaced written": 0.1,
        "OrderPlaced -> inventory-stock: outbox -> relayed": 0.3,
        "OrderPlaced -> inventory-stock: relayed -> received": 0.1,
        "OrderPlaced -> inventory-stock: received -> handled": 0.1,
        "StockReserved -> payments-charges: outbox -> relayed": 0.2,
        "StockReserved -> payments-charges: relayed -> received": 0.05,
        "StockReserved -> payments-charges: received -> handled": 0.15,
        "PaymentAuthorized -> orders-saga: outbox -> relayed": 0.3,
        "PaymentAuthorized -> orders-saga: relayed -> received": 0.1,
        "PaymentAuthorized -> orders-saga: received -> handled": 0.05,
        "OrderConfirmed written -> client sees it": 0.15,
    }
    assert sum(parts.values()) == pytest.approx(1.6)  # the parts cover POST to seen, no gap


def test_an_order_missing_a_stamp_is_left_out_and_medians_are_per_part() -> None:
    trace = OrderTrace(posted=T0, confirmed_seen=T0 + 1, steps={"OrderPlaced": ("e1", T0)})
    assert order_parts(trace, {}) is None
    assert medians([{"a": 1.0, "b": 5.0}, {"a": 3.0, "b": 1.0}, {"a": 2.0, "b": 2.0}]) == {"a": 2.0, "b": 2.0}
    assert medians([]) == {}
