"""Each EventBridge rule Terraform applied delivers exactly the event contracts its consumer routes.

Read from what Terraform created in the emulator (rule -> queue -> event source mapping -> the
function's handler), never from the HCL: a rule naming a type its consumer does not route would
fill the DLQ, and a routed contract no rule delivers would never arrive.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from devtools.devstack.consumers import sqs_mappings
from foyer import aws
from foyer.contracts import EVENTS, EventData
from foyer.events import Consumer, Envelope, new_event
from foyer.stack_file import LocalStack

REPO = Path(__file__).resolve().parents[2]
# Every queue consumer's module: services/<name>/consumers.py and services/<name>/<what>_consumer.py.
CONSUMERS = sorted(
    ".".join(path.relative_to(REPO).with_suffix("").parts)
    for pattern in ("services/*/consumers.py", "services/*/*_consumer.py")
    for path in REPO.glob(pattern)
)


def routed_by(handler: str) -> set[type[EventData]]:
    """The contracts in the routing table (`ROUTES`) of the module a Lambda `Handler` names."""
    module = importlib.import_module(handler.rpartition(".")[0])
    routes: Mapping[type[EventData], Any] = module.ROUTES
    return set(routes)


def delivered(pattern: Mapping[str, Any]) -> set[type[EventData]]:
    """The contracts an event pattern of `source` and (optionally) `detail-type` lists matches."""
    sources, types = set(pattern["source"]), pattern.get("detail-type")
    return {c for c in EVENTS if c.source in sources and (types is None or c.event_type in types)}


def rules_by_handler(stack: LocalStack) -> dict[str, dict[str, Any]]:
    """Each consumer's handler with the event pattern of the rule that feeds its queue."""
    events, lambda_client = aws.client("events"), aws.client("lambda")
    handler_of = {
        mapping["EventSourceArn"]: lambda_client.get_function_configuration(
            FunctionName=mapping["FunctionArn"]
        )["Handler"]
        for mapping in sqs_mappings(lambda_client)
    }
    found = {}
    for rule in events.list_rules(EventBusName=stack.event_bus)["Rules"]:
        targets = events.list_targets_by_rule(Rule=rule["Name"], EventBusName=stack.event_bus)["Targets"]
        for target in targets:
            if target["Arn"] in handler_of:
                found[handler_of[target["Arn"]]] = json.loads(rule["EventPattern"])
    return found


@pytest.mark.integration
def test_every_consumer_rule_delivers_exactly_the_contracts_its_consumer_routes(stack: LocalStack) -> None:
    rules = rules_by_handler(stack)
    assert len(rules) >= 5, rules  # inventory, orders' saga and timeline, payments, notifications
    mismatches = {
        handler: {
            "delivered, not routed": sorted(c.__name__ for c in delivered(pattern) - routed_by(handler)),
            "routed, not delivered": sorted(c.__name__ for c in routed_by(handler) - delivered(pattern)),
        }
        for handler, pattern in rules.items()
        if delivered(pattern) != routed_by(handler)
    }
    assert mismatches == {}
    for handler, pattern in rules.items():
        # A detail-type no contract names is a rule that silently matches nothing.
        assert set(pattern.get("detail-type", [])) <= {c.event_type for c in EVENTS}, handler


def test_a_rule_and_a_routing_table_that_disagree_are_told_apart() -> None:
    pattern = {"source": ["foyer.orders"], "detail-type": ["OrderPlaced", "OrderCancelled"]}
    assert {c.__name__ for c in delivered(pattern)} == {"OrderPlaced", "OrderCancelled"}
    assert {c.__name__ for c in delivered({"source": ["foyer.payments"]})} == {
        "PaymentAuthorized",
        "PaymentDeclined",
        "PaymentFailed",
        "PaymentRefunded",
    }
    assert {c.__name__ for c in routed_by("services.payments.consumers.handler")} == {
        "StockReserved",
        "OrderCancelled",
    }


def test_every_consumer_module_is_found() -> None:
    assert CONSUMERS == [
        "services.inventory.consumers",
        "services.notifications.consumers",
        "services.orders.consumers",
        "services.orders.timeline_consumer",
        "services.payments.consumers",
    ]


@pytest.mark.parametrize("module", CONSUMERS)
def test_a_version_a_consumer_does_not_route_is_refused_and_never_reaches_a_handler(
    module: str, sqs_batch: Callable[..., dict[str, Any]]
) -> None:
    routes = routed_by(f"{module}.handler")
    seen: list[Envelope] = []
    consumer = Consumer(dict.fromkeys(routes, seen.append))  # the module's table, handlers recorded
    contract = sorted(routes, key=lambda c: c.event_type)[0]
    data = {"order_id": "ord-1"}
    known = new_event(contract.event_type, data, source=contract.source, version=contract.version)
    newer = new_event(contract.event_type, data, source=contract.source, version=contract.version + 1)
    batch = sqs_batch(newer, known)
    # The newer version fails (the queue redelivers it until its DLQ); the known one is handled.
    assert consumer.handle(batch) == {
        "batchItemFailures": [{"itemIdentifier": batch["Records"][0]["messageId"]}]
    }
    assert seen == [known]
