"""What a charge comes to, and the errors that are ours rather than the payment's."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Authorized:
    """The provider charged the order (`replayed`: an earlier attempt did, and this is its answer)."""

    charge_id: str
    attempts: int = 1
    replayed: bool = False


@dataclass(frozen=True)
class Declined:
    """The provider declined the card: final, never retried (`reason`: its decline code)."""

    reason: str
    message: str = ""
    charge_id: str | None = None
    attempts: int = 1


@dataclass(frozen=True)
class Failed:
    """No answer could be had within the retry bound (`reason`: the last transient failure).

    The order may still have been charged by an attempt whose answer was lost: charging it again
    later with the same order id returns that charge rather than making a second one.
    """

    reason: str
    attempts: int


ChargeOutcome = Authorized | Declined | Failed


@dataclass(frozen=True)
class Refunded:
    """The provider refunded the charge (`replayed`: an earlier attempt did, and this is its answer)."""

    refund_id: str
    attempts: int = 1
    replayed: bool = False


RefundOutcome = Refunded | Failed


class ProviderError(Exception):
    """The provider refused us, not the payment: configuration or a bug, never retried."""


class KeyRefused(ProviderError):
    """The provider refused the API key, even as just read from Secrets Manager."""


class ChargeRejected(ProviderError):
    """The provider refused the request itself (a 4xx other than a decline, a 409 or a 429)."""

    def __init__(self, status: int, code: str | None, message: str) -> None:
        super().__init__(f"HTTP {status} {code or 'error'}: {message}")
        self.status = status
        self.code = code

    @property
    def final(self) -> bool:
        """Whether the provider refuses this charge for good (its amount, its payment source: the same
        request under the same idempotency key gets the same answer), rather than our credentials
        (401, 403), which would refuse every charge until the configuration is fixed."""
        return self.status not in (401, 403)
