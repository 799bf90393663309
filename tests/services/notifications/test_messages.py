"""The e-mail templates: what the customer reads for each event."""

from __future__ import annotations

import pytest

from foyer.contracts import Money, OrderCancelled, OrderConfirmed, PricedLine
from services.notifications.domain import OrderNews
from services.notifications.messages import REASONS, money, reason_in_words, render


def line(name: str, quantity: int, unit_price: int) -> PricedLine:
    price = Money(amount=unit_price, currency="EUR")
    total = Money(amount=unit_price * quantity, currency="EUR")
    return PricedLine(
        sku=f"{name.upper()}-1", name=name, quantity=quantity, unit_price=price, line_total=total
    )


def news(event: type[OrderNews] = OrderConfirmed, **changes: object) -> OrderNews:
    fields: dict[str, object] = {
        "order_id": "ord-1",
        "customer_id": "cust-1",
        "contact_email": "ada@example.com",
        "channel": "web",
        "lines": [line("Coffee", 2, 1890), line("Mug", 1, 1200)],
        "total": Money(amount=4980, currency="EUR"),
    }
    return event.model_validate(fields | changes)


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (4330, "EUR", "EUR 43.30"),
        (5, "USD", "USD 0.05"),
        (0, "GBP", "GBP 0.00"),
        (1200, "JPY", "JPY 1200"),
        (1500, "KWD", "KWD 1.500"),
        (-250, "EUR", "EUR -2.50"),
    ],
)
def test_money_is_shown_in_the_currencys_own_decimals(amount: int, currency: str, shown: str) -> None:
    assert money(Money(amount=amount, currency=currency)) == shown


def test_a_confirmation_lists_the_lines_and_the_total() -> None:
    email = render(news())

    assert email.subject == "Your Foyer order ord-1 is confirmed"
    assert "  2 x Coffee\n  1 x Mug\n\nTotal: EUR 49.80" in email.body


@pytest.mark.parametrize("reason", sorted(REASONS))
def test_a_cancellation_says_its_reason_in_words(reason: str) -> None:
    email = render(news(OrderCancelled, reason=reason))

    assert email.subject == "Your Foyer order ord-1 was cancelled"
    assert f"was cancelled because {REASONS[reason]}." in email.body
    assert reason not in email.body  # the words, never the code


def test_a_reason_not_known_here_is_said_in_general_words() -> None:
    assert reason_in_words("fraud_suspected") == "it could not be completed"
    assert reason_in_words(None) == "it could not be completed"
