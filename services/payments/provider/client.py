"""Charging and refunding through the provider's HTTP API, with retries bounded in attempts and time."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol, TypeVar

import httpx
from pydantic import SecretStr

from foyer.retry import attempts
from services.payments.provider import responses
from services.payments.provider.outcomes import (
    Authorized,
    ChargeOutcome,
    Failed,
    KeyRefused,
    RefundOutcome,
)
from services.payments.provider.responses import Transient

log = logging.getLogger("services.payments.provider")

MAX_ORDER_ID_LENGTH = 255  # the longest idempotency key Stripe accepts
# The largest charge, in minor units: Stripe's eight digits (the sandbox's too). A total above it is
# refused whatever the card, so orders refuses it at placement and payments never sends it.
MAX_AMOUNT = 99_999_999
T = TypeVar("T")


class ApiKeySource(Protocol):
    """Where the API key comes from (`foyer.secrets.CachedSecret`): cached, or read again now."""

    def value(self) -> SecretStr: ...

    def refresh(self) -> SecretStr: ...


class PaymentProvider:
    """A Stripe-shaped provider at `base_url`; one per process (it keeps a connection pool)."""

    def __init__(
        self,
        base_url: str,
        api_key: ApiKeySource,
        *,
        connect_timeout_s: float = 2.0,
        read_timeout_s: float = 5.0,
        max_attempts: int = 5,
        max_total_s: float = 20.0,
        base_wait_s: float = 0.1,
        max_wait_s: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        http: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._charges_url = f"{self.base_url}/v1/charges"
        self._refunds_url = f"{self.base_url}/v1/refunds"
        self._api_key = api_key
        self._timeout = httpx.Timeout(read_timeout_s, connect=connect_timeout_s)
        self._max_attempts = max_attempts
        self._max_total_s = max_total_s
        self._base_wait_s = base_wait_s
        self._max_wait_s = max_wait_s
        self._sleep = sleep
        self._http = http
        self._lock = threading.Lock()

    def charge(self, order_id: str, amount: int, currency: str, source: str) -> ChargeOutcome:
        """Charge `amount` minor units of `currency` to `source` for `order_id`, at most once per order.

        Retries transient failures within `max_attempts` and `max_total_s` (plus one attempt's
        timeouts); returns Failed when they run out. Raises KeyRefused or ChargeRejected when the
        provider refuses us rather than the payment.
        """
        if not 0 < len(order_id) <= MAX_ORDER_ID_LENGTH:
            raise ValueError(f"an order id is 1 to {MAX_ORDER_ID_LENGTH} characters")
        if not 0 < amount <= MAX_AMOUNT:
            raise ValueError(f"a charge is of 1 to {MAX_AMOUNT} minor units")
        form = {
            "amount": str(amount),
            "currency": currency.lower(),
            "source": source,
            "metadata[order_id]": order_id,
        }
        answered = self._with_retries(
            "charge", self._charges_url, form, order_id, responses.read, {"order_id": order_id}
        )
        if isinstance(answered, Failed):
            return answered
        outcome, tries = answered
        outcome = dataclasses.replace(outcome, attempts=tries)
        kind = "authorized" if isinstance(outcome, Authorized) else "declined"
        log.info(f"charge {kind}", extra={"order_id": order_id, "attempts": tries})
        return outcome

    def refund(self, charge_id: str, idempotency_key: str) -> RefundOutcome:
        """Refund the whole of `charge_id`, at most once per `idempotency_key` (derive it from what
        the refund is for, so every retry and redelivery asks for the same refund).

        Retries transient failures as `charge` does; returns Failed when they run out. Raises
        KeyRefused or ChargeRejected (an unknown charge, one already refunded under another key).
        """
        if not 0 < len(idempotency_key) <= MAX_ORDER_ID_LENGTH:
            raise ValueError(f"an idempotency key is 1 to {MAX_ORDER_ID_LENGTH} characters")
        answered = self._with_retries(
            "refund",
            self._refunds_url,
            {"charge": charge_id},
            idempotency_key,
            responses.read_refund,
            {"charge_id": charge_id},
        )
        if isinstance(answered, Failed):
            return answered
        refunded, tries = answered
        log.info("charge refunded", extra={"charge_id": charge_id, "attempts": tries})
        return dataclasses.replace(refunded, attempts=tries)

    def _with_retries(
        self,
        what: str,
        url: str,
        form: dict[str, str],
        idempotency_key: str,
        read: Callable[[httpx.Response], T],
        context: dict[str, str],
    ) -> tuple[T, int] | Failed:
        """`read`'s outcome of posting `form` and the attempts it took, or Failed once transient
        failures ran out of attempts or time."""
        tries = 0
        policy = attempts(
            self._max_attempts,
            base_s=self._base_wait_s,
            max_wait_s=self._max_wait_s,
            retry_on=(Transient,),
            max_total_s=self._max_total_s,
            sleep=self._sleep,
        )
        try:
            for attempt in policy:
                with attempt:
                    tries += 1
                    outcome = self._attempt(url, form, idempotency_key, read, context, tries)
        except Transient as exc:
            log.warning(
                f"{what} failed after retries", extra={**context, "attempts": tries, "reason": exc.reason}
            )
            return Failed(exc.reason, tries)
        return outcome, tries

    def _attempt(
        self,
        url: str,
        form: dict[str, str],
        idempotency_key: str,
        read: Callable[[httpx.Response], T],
        context: dict[str, str],
        attempt: int,
    ) -> T:
        try:
            key = self._api_key.value()
            response = self._post(url, form, idempotency_key, key)
            if response.status_code == 401:
                # Rotated since we cached it? Read it again once; a second 401 is a configuration fault.
                fresh = self._api_key.refresh()
                if fresh.get_secret_value() != key.get_secret_value():
                    response = self._post(url, form, idempotency_key, fresh)
                if response.status_code == 401:
                    raise KeyRefused(f"the payment provider at {self.base_url} refused the API key")
            return read(response)
        except Transient as exc:
            log.warning(
                "payment provider failed transiently",
                extra={**context, "attempt": attempt, "reason": exc.reason},
            )
            raise

    def _post(self, url: str, form: dict[str, str], idempotency_key: str, key: SecretStr) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key.get_secret_value()}", "Idempotency-Key": idempotency_key}
        try:
            return self._client().post(url, data=form, headers=headers)
        except httpx.TimeoutException as exc:
            raise Transient(f"timeout ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            # Refused or reset connections, a malformed answer: nothing says the charge was not made,
            # and the idempotency key makes asking again safe.
            raise Transient(f"transport error ({type(exc).__name__})") from exc

    def _client(self) -> httpx.Client:
        # Created on first charge, not at import: building its TLS context is init time that the
        # payments API's reads never need.
        if self._http is None:
            with self._lock:
                if self._http is None:
                    self._http = httpx.Client(timeout=self._timeout)
        return self._http

    def close(self) -> None:
        """Close the connection pool (the provider is unusable afterwards)."""
        if self._http is not None:
            self._http.close()
