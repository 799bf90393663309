"""The traffic `make cost` prices: invocations a month per function, from a stated profile over the
topology Terraform declares (terraform/modules/platform: which services each BFF calls, which BFFs
sit behind the authorizer, which events each consumer takes).

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
from dataclasses import dataclass, field, replace
from pathlib import Path

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


@dataclass(frozen=True)
class Consumer:
    handler: str
    sources: tuple[str, ...]
    events: tuple[str, ...]  # empty: every event of its sources

    def takes(self, event: str, source: str) -> bool:
        return source in self.sources and (not self.events or event in self.events)


HOURS_A_MONTH = 730
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_MINUTES = {"minute": 1, "hour": 60, "day": 24 * 60}


@dataclass(frozen=True)
class Schedule:
    handler: str
    expression: str  # EventBridge's: `rate(5 minutes)`


def runs_per_month(expression: str) -> float:
    """How often a `rate(...)` schedule runs in a month of HOURS_A_MONTH; any other expression (a
    cron, a zero rate, a unit EventBridge does not take) is a ValueError naming it."""
    found = _RATE.match(expression)
    if found is None or int(found.group(1)) == 0:
        raise ValueError(f"cannot price the schedule {expression!r}: only rate(N minutes|hours|days) is read")
    every_minutes = int(found.group(1)) * _MINUTES[found.group(2).rstrip("s")]
    return HOURS_A_MONTH * 60 / every_minutes


@dataclass(frozen=True)
class App:
    name: str
    handler: str
    calls: tuple[str, ...] = ()
    consumers: tuple[Consumer, ...] = ()
    schedules: tuple[Schedule, ...] = ()  # the functions an EventBridge schedule runs
    outbox: bool = False  # its table's stream feeds a relay function (events.tf)


@dataclass(frozen=True)
class Topology:
    apps: dict[str, App]
    behind_authorizer: frozenset[str]
    authorizer_handler: str
    relay_handler: str


_APP = re.compile(r"^    (\w+) = \{$")
_APP_HANDLER = re.compile(r'^      handler\s*=\s*"([^"]+)"')
_CALLS = re.compile(r"^      calls\s*=\s*\[([^\]]*)\]")
_OUTBOX = re.compile(r"^      outbox\s*=\s*true\b")
_FUNCTIONS = re.compile(r"^      (consumers|schedules) = \{$")
_FUNCTIONS_END = "      }"
_FUNCTION_END = "        }"
_FUNCTION_HANDLER = re.compile(r'^          handler\s*=\s*"([^"]+)"')
_SOURCES = re.compile(r"^          sources\s*=\s*\[([^\]]*)\]")
_EVENTS = re.compile(r"^          events\s*=\s*\[([^\]]*)\]")
_EXPRESSION = re.compile(r'^          expression\s*=\s*"([^"]+)"')
_EDGE = re.compile(r"^\s+(\w+)\s*=\s*\{\s*authorizer\s*=\s*(true|false)")
_AUTHORIZER_HANDLER = re.compile(r'handler\s*=\s*"(bff\.authorizer\.[^"]+)"')
_RELAY_HANDLER = re.compile(r'handler\s*=\s*"(foyer\.events\.[^"]+)"')


def _strings(listed: str) -> tuple[str, ...]:
    return tuple(re.findall(r'"([^"]+)"', listed))


@dataclass
class _Function:
    """A consumer or schedule entry while its block is read."""

    handler: str = ""
    sources: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    expression: str = ""


def read_topology(terraform_dir: Path) -> Topology:
    """The apps, calls, consumers, schedules and authorizer of terraform/modules/platform (its `apps`
    map as `terraform fmt` lays it out: one app per 4-space block, its `consumers` and `schedules`
    maps at 6 spaces, one function per 8-space block)."""
    platform = terraform_dir / "modules" / "platform"
    apps: dict[str, App] = {}
    name: str | None = None
    block: str | None = None  # "consumers" or "schedules" while inside one of an app's maps
    function = _Function()
    in_apps = False
    for line in (platform / "main.tf").read_text().splitlines():
        if line.strip() == "apps = {":
            in_apps = True
            continue
        if in_apps and line == "  }":
            break
        if not in_apps:
            continue
        if found := _APP.match(line):
            name, block = found.group(1), None
            apps[name] = App(name, handler="")
        elif name is None:
            continue
        elif found := _FUNCTIONS.match(line):
            block, function = found.group(1), _Function()
        elif block is not None:
            block, function = _read_function(apps, name, block, function, line)
        elif found := _APP_HANDLER.match(line):
            apps[name] = replace(apps[name], handler=found.group(1))
        elif found := _CALLS.match(line):
            apps[name] = replace(apps[name], calls=_strings(found.group(1)))
        elif _OUTBOX.match(line):
            apps[name] = replace(apps[name], outbox=True)
    edge = (platform / "edge.tf").read_text()
    behind = frozenset(m.group(1) for m in map(_EDGE.match, edge.splitlines()) if m and m.group(2) == "true")
    handler = _AUTHORIZER_HANDLER.search(edge)
    relay = _RELAY_HANDLER.search((platform / "events.tf").read_text())
    if not apps or handler is None or relay is None:
        raise ValueError(f"no apps, authorizer or relay found under {platform}: has its layout changed?")
    return Topology(apps, behind, handler.group(1), relay.group(1))


def _read_function(
    apps: dict[str, App], name: str, block: str, function: _Function, line: str
) -> tuple[str | None, _Function]:
    """One line inside an app's `consumers` or `schedules` map: the block and entry read so far after
    it (an entry is added to its app where its block closes)."""
    if line == _FUNCTIONS_END:
        return None, _Function()
    if line == _FUNCTION_END:
        app = apps[name]
        if not function.handler:
            raise ValueError(f"a {block} entry of {name} names no handler: has the layout changed?")
        if block == "consumers":
            taken = Consumer(function.handler, function.sources, function.events)
            apps[name] = replace(app, consumers=(*app.consumers, taken))
        else:
            if not function.expression:
                raise ValueError(
                    f"the schedule {function.handler} names no expression: has the layout changed?"
                )
            schedule = Schedule(function.handler, function.expression)
            apps[name] = replace(app, schedules=(*app.schedules, schedule))
        return block, _Function()
    if found := _FUNCTION_HANDLER.match(line):
        function.handler = found.group(1)
    elif found := _SOURCES.match(line):
        function.sources = _strings(found.group(1))
    elif found := _EVENTS.match(line):
        function.events = _strings(found.group(1))
    elif found := _EXPRESSION.match(line):
        function.expression = found.group(1)
    return block, function


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
