"""The events payments publishes (source `foyer.payments`): how an order's payment settled."""

from __future__ import annotations

from foyer.contracts.base import EventData
from foyer.contracts.values import AboutOrder, Money

SOURCE = "foyer.payments"


class PaymentSettled(AboutOrder):
    """What every payment outcome says: the order, the amount, the provider's charge (if any)."""

    amount: Money
    charge_id: str | None = None


class PaymentAuthorized(PaymentSettled, EventData, source=SOURCE):
    """The order's total was charged."""


class PaymentDeclined(PaymentSettled, EventData, source=SOURCE):
    """The provider declined the charge (its decline code as `reason`); never retried."""

    reason: str | None = None


class PaymentFailed(PaymentSettled, EventData, source=SOURCE):
    """No charge could be made (`reason`), so the order is cancelled."""

    reason: str | None = None


class PaymentRefunded(PaymentSettled, EventData, source=SOURCE):
    """A charge of an order cancelled while it was in flight was given back."""

    refund_id: str
