"""What a handler's init needs before anything else: whether it runs in Lambda, and how it refuses to start.

Standard library only, so every handler can use it: the authorizer's zip carries neither pydantic nor
the web stack (foyer.cli.package.CARRIES_ONLY), and foyer.lambda_glue, which the HTTP handlers use,
imports Mangum.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

# Set by the Lambda runtime in every execution environment, and only there.
LAMBDA_FUNCTION_NAME = "AWS_LAMBDA_FUNCTION_NAME"


class StartupError(RuntimeError):
    """An app cannot start: its message names what is missing (raised at init, never at a request)."""


def in_lambda(environ: Mapping[str, str] = os.environ) -> bool:
    """True inside a Lambda execution environment (one event at a time per process)."""
    return bool(environ.get(LAMBDA_FUNCTION_NAME))
