"""aws_calls against handlers whose AWS calls are known: it finds each, and no more than the code
can reach (the payments API never reads the provider's key, only the charges consumer does)."""

from __future__ import annotations

import aws_calls
import pytest


def actions(handler: str) -> set[str]:
    found = aws_calls.reach(handler)
    assert not found.problems, found.problems
    return set(aws_calls.actions(found.calls))


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        ("services.payments.consumers.handler", {"secretsmanager:GetSecretValue", "dynamodb:PutItem"}),
        ("foyer.events.handler.handler", {"events:PutEvents", "dynamodb:DeleteItem"}),
        ("services.notifications.consumers.handler", {"ses:SendEmail", "sns:Publish"}),
        ("bff.partner.handler.handler", {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}),
        ("services.catalog.handler.handler", {"dynamodb:GetItem"}),
    ],
)
def test_the_calls_the_code_makes_are_found(handler: str, expected: set[str]) -> None:
    assert expected <= actions(handler)


@pytest.mark.parametrize(
    ("handler", "absent"),
    [
        # settings.py imports a constant from foyer.secrets: importing is not reading.
        ("services.payments.handler.handler", "secretsmanager:GetSecretValue"),
        # The relay publishes and forgets: it never writes an item.
        ("foyer.events.handler.handler", "dynamodb:PutItem"),
        ("services.notifications.handler.handler", "ses:SendEmail"),
    ],
)
def test_code_a_handler_cannot_reach_makes_no_call(handler: str, absent: str) -> None:
    assert absent not in actions(handler)


def test_a_web_bff_calls_no_aws_api_at_all() -> None:
    assert actions("bff.web.handler.handler") == set()


def test_routes_registered_by_decorators_are_reached() -> None:
    found = aws_calls.reach("services.orders.handler.handler")
    assert ("services.orders.api", "") in found.units
    assert {qualname for module, qualname in found.units if module == "services.orders.api"} - {""}
