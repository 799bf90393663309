"""How a repeated request can fail; foyer.idempotency.http maps each to its problem."""

from __future__ import annotations


class IdempotencyError(Exception):
    """A request carrying an Idempotency-Key cannot be served."""


class KeyReused(IdempotencyError):
    """The key was first used with another request (another body, method or path): 422."""

    def __init__(self, key: str) -> None:
        super().__init__(f"idempotency key {key!r} was used with another request")
        self.key = key


class RequestInFlight(IdempotencyError):
    """The first request with this key is still being processed: 409, retry after `retry_after_s`."""

    def __init__(self, key: str, retry_after_s: int) -> None:
        super().__init__(f"a request with idempotency key {key!r} is still in progress")
        self.key = key
        self.retry_after_s = retry_after_s
