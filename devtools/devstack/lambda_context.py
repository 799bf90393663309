"""What the local stack hands a Lambda handler as its second argument, and the function it describes.

Lambda's Python runtime passes a context object with the function's identity, the request id and
`get_remaining_time_in_millis()`, counted down from the function's configured timeout. The local
runtimes (SQS pollers, the relay, schedules) build the same object from the function's configuration
as `aws lambda get-function-configuration` reports it, so a handler reads the same fields locally.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Handler", "LambdaContext", "LambdaFunction"]

# A handler with Lambda's signature: handler(event, context) -> JSON-serialisable result.
Handler = Callable[[dict[str, Any], Any], Any]

DEFAULT_TIMEOUT_SECONDS = 3  # Lambda's default when a function sets none
DEFAULT_MEMORY_MB = 128


@dataclass(frozen=True)
class LambdaFunction:
    """The parts of a function's configuration a local invocation needs."""

    name: str
    arn: str
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    memory_mb: int = DEFAULT_MEMORY_MB
    version: str = "$LATEST"

    @classmethod
    def from_configuration(cls, configuration: Mapping[str, Any]) -> LambdaFunction:
        """The function as `get_function_configuration` describes it."""
        return cls(
            name=configuration["FunctionName"],
            arn=configuration["FunctionArn"],
            timeout_seconds=float(configuration.get("Timeout", DEFAULT_TIMEOUT_SECONDS)),
            memory_mb=int(configuration.get("MemorySize", DEFAULT_MEMORY_MB)),
            version=configuration.get("Version", "$LATEST"),
        )

    def context(self) -> LambdaContext:
        """A fresh context for one invocation: a new request id, the clock starting now."""
        return LambdaContext(
            function_name=self.name,
            function_version=self.version,
            invoked_function_arn=self.arn,
            memory_limit_in_mb=self.memory_mb,
            log_group_name=f"/aws/lambda/{self.name}",
            log_stream_name=f"local/[{self.version}]{uuid.uuid4().hex}",
            deadline=time.monotonic() + self.timeout_seconds,
        )


@dataclass(frozen=True)
class LambdaContext:
    """The attributes and method of the Python runtime's `LambdaContext`."""

    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    log_group_name: str
    log_stream_name: str
    deadline: float  # time.monotonic() at which Lambda would stop the invocation
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    identity: Any = None
    client_context: Any = None
    clock: Callable[[], float] = field(default=time.monotonic, repr=False, compare=False)

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function's timeout (never negative)."""
        return max(0, int((self.deadline - self.clock()) * 1000))

    def timed_out(self) -> bool:
        """Whether Lambda would have stopped this invocation by now."""
        return self.clock() >= self.deadline
