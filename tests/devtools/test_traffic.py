"""devtools.cli.traffic: the invocations a month it derives from a topology."""

from __future__ import annotations

import pytest

from devtools.cli.traffic import Traffic, invocations, runs_per_month
from devtools.terraform_source import App, Consumer, Schedule, Topology

TOPOLOGY = Topology(
    apps={
        "web": App("web", "bff.web.handler.handler", calls=("catalog", "orders")),
        "catalog": App("catalog", "services.catalog.handler.handler"),
        "orders": App(
            "orders",
            "services.orders.handler.handler",
            calls=("catalog",),
            consumers=(
                Consumer("services.orders.saga.handler", ("foyer.inventory",), ("StockReserved",)),
                Consumer("services.orders.timeline.handler", ("foyer.orders", "foyer.inventory"), ()),
            ),
            schedules=(Schedule("services.orders.sweep.handler", "rate(1 hour)"),),
            outbox=True,
        ),
    },
    behind_authorizer=frozenset({"web"}),
    authorizer_handler="bff.authorizer.handler.handler",
    relay_handler="foyer.events.handler.handler",
)


def test_invocations_follow_the_bff_requests_through_the_topology() -> None:
    traffic = Traffic(bff_requests={"web": 1000}, service_calls=2, authorizer_share=0.1, order_share=0.01)
    counts = invocations(traffic, TOPOLOGY)
    assert counts["bff.web.handler"] == 1000
    assert counts["bff.authorizer.handler"] == pytest.approx(100)
    # 2 calls per request over 2 services; each of the 10 orders asks the catalog for prices once.
    assert counts["services.catalog.handler"] == pytest.approx(1000 + 10)
    assert counts["services.orders.handler"] == pytest.approx(1000)
    # Per order: StockReserved to the saga; OrderPlaced, StockReserved, OrderConfirmed to the timeline
    # (every event of its two sources; PaymentAuthorized comes from payments, which it does not take).
    assert counts["services.orders.saga"] == pytest.approx(10)
    assert counts["services.orders.timeline"] == pytest.approx(30)
    # The relay publishes what an outbox app writes: orders' OrderPlaced and OrderConfirmed (the
    # inventory and payments apps are not in this topology: their events reach no relay).
    assert counts["foyer.events.handler"] == pytest.approx(20)
    # A schedule runs whatever the traffic: hourly is 730 runs in a month of 730 hours.
    assert counts["services.orders.sweep"] == pytest.approx(730)


@pytest.mark.parametrize(
    ("expression", "runs"),
    [
        ("rate(5 minutes)", 8760),
        ("rate(1 minute)", 43800),
        ("rate(2 hours)", 365),
        ("rate(1 day)", 730 / 24),
        ("rate( 10  minutes )", 4380),
    ],
)
def test_a_rate_expression_is_runs_in_a_month_of_730_hours(expression: str, runs: float) -> None:
    assert runs_per_month(expression) == pytest.approx(runs)


@pytest.mark.parametrize(
    "expression", ["cron(0 12 * * ? *)", "rate(0 minutes)", "rate(5 fortnights)", "every 5 minutes", ""]
)
def test_an_expression_it_cannot_price_is_named_in_the_error(expression: str) -> None:
    with pytest.raises(ValueError, match="cannot price the schedule") as raised:
        runs_per_month(expression)
    assert repr(expression) in str(raised.value)
