"""The time a request may still spend on its dependencies.

In Lambda the budget is what the invocation has left (the context's remaining time) minus a margin
to shape and send the answer; under uvicorn, where no deadline exists, a configured budget. Every
call to a dependency takes its timeout from the deadline, so a slow service costs the request at
most its budget, never the function's whole timeout.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


class LambdaContext(Protocol):
    def get_remaining_time_in_millis(self) -> int: ...


@dataclass(frozen=True)
class Deadline:
    """A point on the monotonic clock by which the request's calls must be done."""

    at: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds)

    @classmethod
    def for_scope(cls, scope: Mapping[str, Any], *, budget_s: float, margin_s: float) -> Deadline:
        """The deadline of the request `scope` describes: the Lambda context's remaining time minus
        `margin_s` (capped at `budget_s`) when Mangum passed one, else `budget_s` from now."""
        context: LambdaContext | None = scope.get("aws.context")
        seconds = budget_s
        remaining_ms = getattr(context, "get_remaining_time_in_millis", None)
        if callable(remaining_ms):
            seconds = min(budget_s, max(0.0, remaining_ms() / 1000 - margin_s))
        return cls.after(seconds)

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self.at - time.monotonic())
