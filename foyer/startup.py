"""What a handler's init needs before anything else: whether it runs in Lambda, and how it refuses to start.

Standard library only at import, so every handler can use it: the authorizer's zip carries neither
pydantic nor the web stack (devtools.cli.package.CARRIES_ONLY), and foyer.lambda_glue, which the HTTP
handlers use, imports Mangum. `check_settings` imports pydantic's error type when called: it loads
pydantic settings, which the authorizer does not have.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

# Set by the Lambda runtime in every execution environment, and only there.
LAMBDA_FUNCTION_NAME = "AWS_LAMBDA_FUNCTION_NAME"


class StartupError(RuntimeError):
    """An app cannot start: its message names what is missing (raised at init, never at a request)."""


def in_lambda(environ: Mapping[str, str] = os.environ) -> bool:
    """True inside a Lambda execution environment (one event at a time per process)."""
    return bool(environ.get(LAMBDA_FUNCTION_NAME))


def check_settings(load: Callable[[], object]) -> None:
    """Load settings now; a missing or invalid one raises StartupError naming it (env names, as set)."""
    from pydantic import ValidationError  # imported by every settings class; kept out of this module's import

    try:
        load()
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg'].lower()}"
            for error in exc.errors()
        ]
        raise StartupError(f"{exc.title} cannot load: {'; '.join(problems)}") from None


def check_settings_in_lambda(load: Callable[[], object]) -> None:
    """In a Lambda environment, load the settings now, at init, so a missing one fails the init naming
    it instead of the first request or batch. Elsewhere (tests that import a handler before they
    configure the environment, the local stack) settings load on first use."""
    if in_lambda():
        check_settings(load)
