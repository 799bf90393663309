"""Charging an order when its stock is reserved: the reaction of payments to `StockReserved`.

One delivery of the event:
1. an order already settled (by this event, redelivered, or another one) changes nothing and calls
   no provider; nor does an order whose `OrderCancelled` came first (the reconciler expired it while
   its `StockReserved` was late: `on_order_cancelled` barred it);
2. otherwise the order's total is charged, the order id as the provider's idempotency key;
3. `Authorized` and `Declined` are settled at once: the payment, its event (`PaymentAuthorized`,
   `PaymentDeclined`) and the processed record of the cause in one transaction;
4. `Failed` (no answer within the client's retry bound) may still have charged, so it is counted
   and raised as ChargeUnsettled: the consumer reports the message failed, SQS delivers it again
   after its visibility timeout, and the same idempotency key returns any charge made meanwhile.
   The `max_failures`-th such delivery settles the payment as failed (`PaymentFailed`), so the
   saga always ends (the order is cancelled as `payment_failed`).
A charge that can never be made is settled as failed at once, so the order is cancelled and its
stock released rather than held until the order expires: a total outside the provider's range
(`amount_out_of_range`, never sent), or a request the provider refuses for good (`ChargeRejected.final`:
an amount or a payment source it will not take; reason `refused:<its code>`). Both are logged as
errors and counted (`ChargesRefused`), so a fault of ours that refuses every order still alarms.
A refused API key (`KeyRefused`, or a 403) is raised as it is: it would refuse every charge, so it
must reach the DLQ and an alarm, not cancel the order.

A charge made for an order cancelled meanwhile (its `OrderCancelled` arrived while the charge was
in flight: the reconciler expired the order) is refunded, once: each side writes its own fact
first and then looks for the other's (the charge settles, then checks the `cancelled#` marker; the
cancellation writes the marker, then checks for an authorized payment), so whichever comes second
sees both, and when both do, the refund's idempotency key (`refund-<order id>`) and the payment's
conditional move to REFUNDED make it one refund and one `PaymentRefunded`. A refund without an
answer is raised as RefundUnsettled: the event comes again and asks again with the same key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import ValidationError

from foyer import metrics
from foyer.contracts import AboutOrder, StockReserved
from foyer.events import Envelope, MalformedEvent, envelope_of, read_data
from foyer.secrets import CachedSecret
from services.payments.domain import ChargeRequest, ChargeTries, Payment, Status, settle
from services.payments.provider import MAX_AMOUNT, Authorized, ChargeRejected, Failed, PaymentProvider
from services.payments.settings import PaymentsSettings
from services.payments.store import PaymentsStore

REFUSED_METRIC = "ChargesRefused"
OUT_OF_RANGE = "amount_out_of_range"
log = logging.getLogger("services.payments")


class ChargeUnsettled(Exception):
    """The provider gave no answer this delivery; the event must be delivered again."""

    def __init__(self, order_id: str, tries: ChargeTries, max_failures: int) -> None:
        super().__init__(
            f"charge of order {order_id} unanswered ({tries.last_reason}); "
            f"delivery {tries.failures} of {max_failures}, retried on redelivery"
        )
        self.order_id = order_id
        self.tries = tries


class RefundUnsettled(Exception):
    """The provider gave no answer to a refund this delivery; the event must be delivered again."""


def _now() -> datetime:
    return datetime.now(UTC)


class Charger:
    """Charges orders through `provider` and settles them in `store`."""

    def __init__(
        self,
        store: PaymentsStore,
        provider: PaymentProvider,
        *,
        default_source: str,
        max_failures: int,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.store = store
        self.provider = provider
        self.default_source = default_source
        self.max_failures = max_failures
        self.clock = clock

    def on_stock_reserved(self, envelope: Envelope) -> None:
        """Charge the reserved order once and announce the outcome once, whatever the redeliveries.

        Raises MalformedEvent for data that names no order or total, ChargeUnsettled when the
        provider gave no answer (deliver again), and ProviderError when the provider refused our
        credentials. A charge that can never be made settles as failed (the module docstring).
        """
        try:
            request = ChargeRequest.of(StockReserved.model_validate(envelope.data))
        except ValidationError as exc:
            fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise MalformedEvent(f"{envelope.type} without a chargeable order: {fields}") from None
        context = {"order_id": request.order_id, "event_id": envelope.id}
        settled = self.store.get(request.order_id)
        if settled is not None:
            # Settled by this event (a redelivery) or an earlier one of the same order: its outcome
            # was announced then. Every processed event left a payment, so one read decides, and
            # nothing is written (a refused transaction would cost more than the read).
            log.info("order already settled; nothing charged", extra=context)
            self._refund_if_cancelled(settled, envelope)  # a refund an earlier delivery left undone
            return
        if self.store.barred(request.order_id):
            # The order was cancelled before its stock reservation reached us (the reconciler expired
            # it while the event was late): charge nothing, and say nothing, orders has ended it.
            log.warning("order cancelled before its charge; nothing charged", extra=context)
            self.store.record(envelope, self.clock())
            return
        started = self.clock()
        tries: ChargeTries | None
        reason: str | None
        if not request.chargeable(MAX_AMOUNT):
            self._refused(request, envelope, OUT_OF_RANGE, started, attempts=0)
            return
        source = request.payment_source or self.default_source
        try:
            outcome = self.provider.charge(
                request.order_id, request.total.amount, request.total.currency, source
            )
        except ChargeRejected as exc:
            if not exc.final:
                raise
            self._refused(request, envelope, f"refused:{exc.code or exc.status}", started, attempts=1)
            return
        if isinstance(outcome, Failed):
            tries = self.store.record_failure(request.order_id, outcome.reason, outcome.attempts, started)
            if not tries.exhausted(self.max_failures):
                raise ChargeUnsettled(request.order_id, tries, self.max_failures)
            # The attempts are all in the tally now.
            status, reason, charge_id, attempts = Status.FAILED, outcome.reason, None, 0
        else:
            tries = self.store.tries(request.order_id)
            attempts, charge_id = outcome.attempts, outcome.charge_id
            status, reason = (
                (Status.AUTHORIZED, None)
                if isinstance(outcome, Authorized)
                else (Status.DECLINED, outcome.reason)
            )
        payment = settle(
            request,
            status,
            reason=reason,
            charge_id=charge_id,
            attempts=attempts,
            started_at=started,
            settled_at=self.clock(),
            tries=tries,
        )
        self._record(payment, envelope)
        self._refund_if_cancelled(payment, envelope)

    def _refused(
        self, request: ChargeRequest, envelope: Envelope, reason: str, started: datetime, *, attempts: int
    ) -> None:
        """Settle a charge that can never be made as failed, so the saga cancels the order at once."""
        log.error(
            "charge refused for good; payment settled as failed",
            extra={"order_id": request.order_id, "event_id": envelope.id, "reason": reason},
        )
        metrics.emit(REFUSED_METRIC)
        payment = settle(
            request,
            Status.FAILED,
            reason=reason,
            attempts=attempts,
            started_at=started,
            settled_at=self.clock(),
            tries=self.store.tries(request.order_id),
        )
        self._record(payment, envelope)

    def on_order_cancelled(self, envelope: Envelope) -> None:
        """Bar the cancelled order from being charged by a `StockReserved` that comes later, and
        refund a charge already made for it. Raises RefundUnsettled when the refund got no answer."""
        order_id = read_data(envelope, AboutOrder).order_id
        self.store.bar(order_id, envelope, self.clock())  # first: see the module docstring
        payment = self.store.get(order_id)
        if payment is not None and payment.status is Status.AUTHORIZED:
            self._refund(payment, envelope)

    def _refund_if_cancelled(self, payment: Payment, cause: Envelope) -> None:
        if payment.status is Status.AUTHORIZED and self.store.barred(payment.order_id):
            self._refund(payment, cause)

    def _refund(self, payment: Payment, cause: Envelope) -> None:
        """Give the payment's charge back once and announce it once (`PaymentRefunded`)."""
        assert payment.charge_id is not None  # an authorized payment names its charge
        context = {"order_id": payment.order_id, "event_id": cause.id, "charge_id": payment.charge_id}
        outcome = self.provider.refund(payment.charge_id, payment.refund_key)
        if isinstance(outcome, Failed):
            raise RefundUnsettled(f"refund of order {payment.order_id} unanswered ({outcome.reason})")
        refunded = payment.refunded(outcome.refund_id, self.clock())
        event = envelope_of(refunded.event(), correlation_id=cause.correlation_id, now=refunded.refunded_at)
        if self.store.refund(refunded, event):
            log.warning("charge of a cancelled order refunded", extra=context)
        else:
            log.info("refund recorded by another delivery; nothing recorded", extra=context)

    def _record(self, payment: Payment, cause: Envelope) -> None:
        event = envelope_of(payment.event(), correlation_id=cause.correlation_id, now=payment.settled_at)
        context = {"order_id": payment.order_id, "event_id": cause.id, "status": payment.status.value}
        if self.store.settle(payment, event, cause):
            log.info(f"payment {payment.status.value}", extra=context)
        else:
            log.info("payment settled by another delivery; nothing recorded", extra=context)


def build_charger(settings: PaymentsSettings, store: PaymentsStore) -> Charger:
    """A charger over `store`, charging through the provider `settings` name with the API key read
    from Secrets Manager (on the first charge, then cached for the settings' TTL)."""
    key = CachedSecret(settings.provider_secret, ttl_s=settings.provider_secret_ttl_s)
    return Charger(
        store,
        PaymentProvider(settings.provider_url, key),
        default_source=settings.default_source,
        max_failures=settings.max_failed_deliveries,
    )
