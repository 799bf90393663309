"""One circuit breaker per dependency, per process (purgatory's in-memory breakers).

A breaker opens after `threshold` consecutive failures (a transport error, a timeout, a 5xx) and
then refuses calls at once for `reset_s`; the next call after that is a trial: success closes it,
failure opens it again. A 4xx is an answer, not a failure. purgatory is part of the BFFs' init (see
docs/performance.md).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState

from foyer.upstream.exceptions import UpstreamUnavailable


class Breakers:
    """The breakers of one process, one per dependency name."""

    def __init__(self, *, threshold: int = 5, reset_s: float = 10.0) -> None:
        self.threshold = threshold
        self.reset_s = reset_s
        self._factory = AsyncCircuitBreakerFactory(default_threshold=threshold, default_ttl=reset_s)

    @asynccontextmanager
    async def guard(self, dependency: str) -> AsyncIterator[None]:
        """Run the block under `dependency`'s breaker: raises UpstreamUnavailable at once while it is
        open; an exception leaving the block counts as a failure."""
        try:
            breaker = await self._factory.get_breaker(dependency)
            async with breaker:
                yield
        except OpenedState:
            raise UpstreamUnavailable(
                dependency, "circuit open", retry_after_s=max(1, round(self.reset_s))
            ) from None

    async def state(self, dependency: str) -> str:
        """`closed`, `opened` or `half-opened`."""
        breaker = await self._factory.get_breaker(dependency)
        return breaker.context.state
