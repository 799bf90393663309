"""The payment provider, as the payments service sees it: charge an order once, whatever the network does.

`PaymentProvider.charge(order_id, amount, currency, source)` sends a Stripe-shaped charge with the
order id as the provider's idempotency key, so every retry of an order (ours, or a redelivered
event's) is the same charge. Transient failures (timeouts, connection errors, 5xx, 429 with its
`Retry-After`, a 409 for a request still in flight, an answer that is not the expected JSON) are
retried through `foyer.retry` within a bound of attempts and time; a decline is never retried. The
answer is an outcome, never an HTTP detail: `Authorized`, `Declined(reason)`, or `Failed` once the
retries ran out. A refused API key or a refused request is an error, raised as `KeyRefused` or
`ChargeRejected` (`final` when it refuses this charge's amount or payment source for good rather
than our credentials). `MAX_AMOUNT` is the largest charge. `refund(charge_id, idempotency_key)` gives
a charge back the same way: `Refunded`, or `Failed` once the retries ran out.
"""

from __future__ import annotations

from services.payments.provider.client import MAX_AMOUNT, ApiKeySource, PaymentProvider
from services.payments.provider.outcomes import (
    Authorized,
    ChargeOutcome,
    ChargeRejected,
    Declined,
    Failed,
    KeyRefused,
    ProviderError,
    Refunded,
    RefundOutcome,
)

__all__ = [
    "MAX_AMOUNT",
    "ApiKeySource",
    "Authorized",
    "ChargeOutcome",
    "ChargeRejected",
    "Declined",
    "Failed",
    "KeyRefused",
    "PaymentProvider",
    "ProviderError",
    "RefundOutcome",
    "Refunded",
]
