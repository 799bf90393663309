"""The traffic `make cost` prices: invocations a month per function, from a stated profile over the
topology Terraform declares (terraform/modules/platform, read by devtools.terraform_source: which
services each BFF calls, which BFFs sit behind the authorizer, which events each consumer takes).

The model, stated so it can be argued with (every number is a `Traffic` field, and a flag of
`make cost`):
- Requests a month per BFF: web 3,000,000, mobile 2,000,000, partner 500,000.
- Each BFF request makes `service_calls` calls (2) to the services its `calls` list names, spread
  evenly over them (a shelf page reads the catalog and inventory; see bff/shared/journeys.py).
- API Gateway caches the authorizer's policy per token for the API's TTL: `authorizer_share` (5%)
  of the requests to a BFF behind the authorizer invoke it.
- `order_share` (2%) of BFF requests place an order. Placing one calls the services an orders app's
  `calls` list names once each (the catalog, for prices), and the order's happy path publishes
  EVENTS_PER_ORDER: four events. A consumer is invoked once per event it takes (its `events` list,
  or every event of its `sources` when the list is empty): SQS batches of one, the dearest case.
- An app with an outbox has a relay function (events.tf), fed by its table's stream: invoked once
  per event the app publishes (stream batches of one, the dearest case). Each app's relay runs the
  same module, so they add up under one handler.
- A scheduled function runs as its `expression` says whatever the traffic: `rate(5 minutes)` is
  8,760 runs in a month of 730 hours (AWS's pricing month).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from devtools.terraform_source import Topology

# The events one order publishes on its happy path, each with the source (`foyer.<app>`) it comes from.
EVENTS_PER_ORDER: tuple[tuple[str, str], ...] = (
    ("OrderPlaced", "foyer.orders"),
    ("StockReserved", "foyer.inventory"),
    ("PaymentAuthorized", "foyer.payments"),
    ("OrderConfirmed", "foyer.orders"),
)


@dataclass(frozen=True)
class Traffic:
    """A month's traffic at the edge; everything else follows from the topology."""

    bff_requests: dict[str, int] = field(
        default_factory=lambda: {"web": 3_000_000, "mobile": 2_000_000, "partner": 500_000}
    )
    service_calls: float = 2.0
    authorizer_share: float = 0.05
    order_share: float = 0.02

    @property
    def orders(self) -> float:
        return sum(self.bff_requests.values()) * self.order_share


HOURS_A_MONTH = 730
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_MINUTES = {"minute": 1, "hour": 60, "day": 24 * 60}


def runs_per_month(expression: str) -> float:
    """How often a `rate(...)` schedule runs in a month of HOURS_A_MONTH; any other expression (a
    cron, a zero rate, a unit EventBridge does not take) is a ValueError naming it."""
    found = _RATE.match(expression)
    if found is None or int(found.group(1)) == 0:
        raise ValueError(f"cannot price the schedule {expression!r}: only rate(N minutes|hours|days) is read")
    every_minutes = int(found.group(1)) * _MINUTES[found.group(2).rstrip("s")]
    return HOURS_A_MONTH * 60 / every_minutes


def handler_module(handler: str) -> str:
    """The module of a Lambda handler string: `services.orders.reconciler.handler` ->
    `services.orders.reconciler` (what `make bench` imports and names its figures by)."""
    return handler.rpartition(".")[0]


def invocations(traffic: Traffic, topology: Topology) -> dict[str, float]:
    """Invocations a month per Lambda handler (`services.orders.handler.handler` -> its module,
    `services.orders.handler`, as `make bench` names it)."""
    counts: dict[str, float] = {}

    def add(handler: str, n: float) -> None:
        module = handler_module(handler)
        counts[module] = counts.get(module, 0.0) + n

    for bff, requests in traffic.bff_requests.items():
        app = topology.apps[bff]
        add(app.handler, requests)
        for service in app.calls:
            add(topology.apps[service].handler, requests * traffic.service_calls / len(app.calls))
        if bff in topology.behind_authorizer:
            add(topology.authorizer_handler, requests * traffic.authorizer_share)
    for service in topology.apps["orders"].calls:
        add(topology.apps[service].handler, traffic.orders)
    for app in topology.apps.values():
        for consumer in app.consumers:
            taken = sum(consumer.takes(event, source) for event, source in EVENTS_PER_ORDER)
            add(consumer.handler, traffic.orders * taken)
        for schedule in app.schedules:
            add(schedule.handler, runs_per_month(schedule.expression))
    for _, source in EVENTS_PER_ORDER:
        publisher = topology.apps.get(source.removeprefix("foyer."))
        if publisher is not None and publisher.outbox:
            add(topology.relay_handler, traffic.orders)
    return counts
