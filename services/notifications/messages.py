"""The e-mail each order event sends, rendered here: one small template per event type.

Rendered in the app, not by SES templates: the emulator does not implement sesv2 templates, and a
template kept beside its test cannot drift from what the test reads back. Plain text only: no HTML
means nothing of the customer's data (a product name) can inject markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Template

from foyer.contracts import Money, OrderCancelled, OrderConfirmed
from services.notifications.domain import OrderNews

# ISO 4217 minor units where they are not 2 (every other code in circulation has cents).
_ZERO_DECIMALS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF"
_THREE_DECIMALS = "BHD IQD JOD KWD LYD OMR TND"
_MINOR_UNITS = {**dict.fromkeys(_ZERO_DECIMALS.split(), 0), **dict.fromkeys(_THREE_DECIMALS.split(), 3)}

REASONS = {
    "out_of_stock": "some of the items were out of stock",
    "payment_declined": "the payment was declined",
    "payment_failed": "the payment could not be processed",
    "expired": "it could not be completed in time",
}
UNKNOWN_REASON = "it could not be completed"


@dataclass(frozen=True)
class Email:
    subject: str
    body: str


@dataclass(frozen=True)
class _Templates:
    subject: Template
    body: Template


TEMPLATES: dict[type[OrderNews], _Templates] = {
    OrderConfirmed: _Templates(
        Template("Your Foyer order $order_id is confirmed"),
        Template(
            "Hello,\n\n"
            "your order $order_id is confirmed:\n\n"
            "$lines\n\n"
            "Total: $total\n\n"
            "Thank you for shopping with Foyer.\n"
        ),
    ),
    OrderCancelled: _Templates(
        Template("Your Foyer order $order_id was cancelled"),
        Template(
            "Hello,\n\n"
            "we are sorry: your order $order_id was cancelled because $reason.\n\n"
            "$lines\n\n"
            "Order total: $total\n"
        ),
    ),
}


def money(value: Money) -> str:
    """`EUR 43.30` from 4330 cents (the currency's own number of decimals)."""
    digits = _MINOR_UNITS.get(value.currency, 2)
    sign = "-" if value.amount < 0 else ""
    units, minor = divmod(abs(value.amount), 10**digits)
    return f"{value.currency} {sign}{units}" + (f".{minor:0{digits}d}" if digits else "")


def reason_in_words(reason: str | None) -> str:
    """Why an order was cancelled, as the customer reads it."""
    return REASONS.get(reason or "", UNKNOWN_REASON)


def render(news: OrderNews) -> Email:
    """The e-mail that tells the customer of `news`."""
    templates = TEMPLATES[type(news)]
    values = {
        "order_id": news.order_id,
        "lines": "\n".join(f"  {line.quantity} x {line.name}" for line in news.lines),
        "total": money(news.total),
        "reason": reason_in_words(news.reason if isinstance(news, OrderCancelled) else None),
    }
    return Email(templates.subject.substitute(values), templates.body.substitute(values))
