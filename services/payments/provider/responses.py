"""Reading the provider's answers (Stripe's shapes): an outcome, a transient failure, or a refusal."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Literal, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from services.payments.provider.outcomes import Authorized, ChargeRejected, Declined, Refunded

REPLAYED = "Idempotent-Replayed"
M = TypeVar("M", bound=BaseModel)


class Transient(Exception):
    """A failure worth another attempt with the same idempotency key (`retry_after_s`: a wait asked)."""

    def __init__(self, reason: str, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after_s = retry_after_s


class _Charge(BaseModel):
    id: str
    status: Literal["succeeded"]


class _Refund(BaseModel):
    id: str
    status: Literal["succeeded", "pending"]


class _Error(BaseModel):
    type: str
    code: str | None = None
    decline_code: str | None = None
    message: str = ""
    charge: str | None = None


class _ErrorBody(BaseModel):
    error: _Error


def read(response: httpx.Response) -> Authorized | Declined:
    """The outcome `response` tells, or Transient (worth a retry), or ChargeRejected (a refusal)."""
    status = response.status_code
    if status in (200, 201):
        charge = _parse(_Charge, response)
        return Authorized(charge.id, replayed=response.headers.get(REPLAYED, "").lower() == "true")
    if status == 402:
        error = _parse(_ErrorBody, response).error
        return Declined(error.decline_code or error.code or "card_declined", error.message, error.charge)
    raise _failure(response)


def read_refund(response: httpx.Response) -> Refunded:
    """The refund `response` tells, or Transient (worth a retry), or ChargeRejected (a refusal)."""
    if response.status_code in (200, 201):
        refund = _parse(_Refund, response)
        return Refunded(refund.id, replayed=response.headers.get(REPLAYED, "").lower() == "true")
    raise _failure(response)


def _failure(response: httpx.Response) -> Transient | ChargeRejected:
    """What an answer that is neither an outcome nor a decline means: worth a retry, or a refusal."""
    status = response.status_code
    if status == 429 or status >= 500:
        return Transient(f"HTTP {status}", retry_after(response.headers.get("Retry-After")))
    if status == 409:
        # A request under the same key is still being processed (a timed-out attempt of ours).
        return Transient("HTTP 409: an attempt is still in flight")
    try:
        error = _ErrorBody.model_validate_json(response.content).error
    except ValidationError:
        return ChargeRejected(status, None, "no readable error body")
    return ChargeRejected(status, error.code, error.message)


def _parse(model: type[M], response: httpx.Response) -> M:
    # Bodies are never quoted in the reason: a broken proxy may echo anything, headers included.
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        raise Transient(f"HTTP {response.status_code} with an unreadable body") from exc


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date), None if absent or bad."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
