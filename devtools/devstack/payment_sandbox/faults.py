"""Which charge request fails, and how: scripted faults first, then a seeded random draw."""

from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Iterable

from devtools.devstack.payment_sandbox.config import FAULTS, Fault, SandboxConfig

# Bodies a broken proxy or a half-written answer leave behind, all with status 200.
GARBAGE_BODIES: tuple[tuple[bytes, str], ...] = (
    (b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"),
    (b'{"id": "ch_', "application/json"),
    (b"", "application/json"),
    (b'{"object": "charge"}', "application/json"),
    (b"null", "application/json"),
)


class FaultPlan:
    """Decides each charge request's fault; counts what it injected."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.scripted: deque[Fault] = deque()
        self.injected: Counter[Fault] = Counter()
        # Charge requests seen per idempotency key ("" for those without one).
        self.requests: Counter[str] = Counter()

    def script(self, faults: Iterable[str]) -> None:
        """Make the next charge requests fail with `faults`, in order, whatever the error rate."""
        for fault in faults:
            if fault not in FAULTS:
                raise ValueError(f"unknown fault {fault!r}: one of {', '.join(FAULTS)}")
            self.scripted.append(fault)

    def draw(self, idempotency_key: str | None) -> tuple[Fault | None, random.Random]:
        """The fault of the next request under `idempotency_key` (None: none) and its random source.

        Seeded by (seed, key, attempt number): each order's draws are the same whatever the order in
        which concurrent orders arrive. Requests without a key share one sequence.
        """
        key = idempotency_key or ""
        attempt = self.requests[key]
        self.requests[key] += 1
        rng = random.Random(f"{self.config.seed}:{key}:{attempt}")  # noqa: S311 (reproducible, not secret)
        fault: Fault | None
        if self.scripted:
            fault = self.scripted.popleft()
        elif rng.random() < self.config.error_rate:
            fault = rng.choice(self.config.faults)
        else:
            fault = None
        if fault is not None:
            self.injected[fault] += 1
        return fault, rng
