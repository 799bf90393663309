"""What a call to a dependency can fail with, as the BFF sees it (mapped to 503/504 by PROBLEMS)."""

from __future__ import annotations


class UpstreamError(Exception):
    """A dependency did not give a usable answer; `dependency` names it."""

    def __init__(self, dependency: str, reason: str) -> None:
        super().__init__(f"{dependency}: {reason}")
        self.dependency = dependency
        self.reason = reason


class UpstreamUnavailable(UpstreamError):
    """The dependency failed, is unreachable, or its circuit breaker is open."""

    # Seconds a client should wait before trying again (the breaker's reset time when it is open).
    retry_after_s: int = 1

    def __init__(self, dependency: str, reason: str, *, retry_after_s: int = 1) -> None:
        super().__init__(dependency, reason)
        self.retry_after_s = retry_after_s


class UpstreamTimeout(UpstreamError):
    """The dependency did not answer within the request's remaining budget."""


class UpstreamRefused(UpstreamError):
    """The dependency refused the request this service built (its request validation, a method or a
    credential it does not accept): a fault of ours, never the client's to see in the service's words."""

    def __init__(self, dependency: str, status: int) -> None:
        super().__init__(dependency, f"refused the request with {status}")
        self.status = status
