"""Charging through the provider's HTTP API, with retries bounded in attempts and in time."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

import httpx
from pydantic import SecretStr

from foyer.payment_provider import responses
from foyer.payment_provider.outcomes import Authorized, ChargeOutcome, Declined, Failed, KeyRefused
from foyer.payment_provider.responses import Transient
from foyer.retry import attempts

log = logging.getLogger("foyer.payment_provider")

MAX_ORDER_ID_LENGTH = 255  # the longest idempotency key Stripe accepts


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
        if amount <= 0:
            raise ValueError("a charge is of a positive amount")
        form = {
            "amount": str(amount),
            "currency": currency.lower(),
            "source": source,
            "metadata[order_id]": order_id,
        }
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
                    outcome = self._attempt(order_id, form, tries)
        except Transient as exc:
            log.warning(
                "charge failed after retries",
                extra={"order_id": order_id, "attempts": tries, "reason": exc.reason},
            )
            return Failed(exc.reason, tries)
        outcome = dataclasses.replace(outcome, attempts=tries)
        kind = "authorized" if isinstance(outcome, Authorized) else "declined"
        log.info(f"charge {kind}", extra={"order_id": order_id, "attempts": tries})
        return outcome

    def _attempt(self, order_id: str, form: dict[str, str], attempt: int) -> Authorized | Declined:
        try:
            key = self._api_key.value()
            response = self._post(order_id, form, key)
            if response.status_code == 401:
                # Rotated since we cached it? Read it again once; a second 401 is a configuration fault.
                fresh = self._api_key.refresh()
                if fresh.get_secret_value() != key.get_secret_value():
                    response = self._post(order_id, form, fresh)
                if response.status_code == 401:
                    raise KeyRefused(f"the payment provider at {self.base_url} refused the API key")
            return responses.read(response)
        except Transient as exc:
            log.warning(
                "payment provider failed transiently",
                extra={"order_id": order_id, "attempt": attempt, "reason": exc.reason},
            )
            raise

    def _post(self, order_id: str, form: dict[str, str], key: SecretStr) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key.get_secret_value()}", "Idempotency-Key": order_id}
        try:
            return self._client().post(self._charges_url, data=form, headers=headers)
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
