"""How a sandbox behaves: the keys it holds, its latency and its seeded faults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

# The kinds of transient failure the sandbox injects (see the package docstring for when each happens).
Fault = Literal["429", "503", "500", "garbage", "timeout"]
FAULTS: tuple[Fault, ...] = get_args(Fault)

# A test-mode key in Stripe's shape; the local stack stores it in Secrets Manager.
DEFAULT_API_KEY = "sk_test_foyer_sandbox_4eC39HqLyjWDarjtT1zdp7dc"


@dataclass(frozen=True)
class SandboxConfig:
    """What the sandbox accepts and how often, how slowly and how it fails."""

    api_keys: frozenset[str] = frozenset({DEFAULT_API_KEY})
    seed: int = 0
    # The share of charge requests that fail transiently, 0 to 1.
    error_rate: float = 0.0
    # Added to every /v1 request.
    latency_ms: int = 0
    faults: tuple[Fault, ...] = FAULTS
    # What a 429 (and a 503) asks for in Retry-After, in whole seconds as HTTP allows.
    retry_after_s: int = 1
    # How long a timed-out request takes to finish (its charge is made, and answered to nobody).
    hang_ms: int = 10_000

    def __post_init__(self) -> None:
        if not 0 <= self.error_rate <= 1:
            raise ValueError(f"error_rate must be between 0 and 1, not {self.error_rate}")
        if min(self.latency_ms, self.hang_ms, self.retry_after_s) < 0:
            raise ValueError("latency_ms, hang_ms and retry_after_s must not be negative")
        unknown = set(self.faults) - set(FAULTS)
        if unknown or not self.faults:
            raise ValueError(f"faults must be some of {', '.join(FAULTS)}")
