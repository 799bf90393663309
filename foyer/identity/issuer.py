"""The token issuer a verifier trusts, read from the environment without pydantic: the authorizer's settings.

The authorizer Lambda verifies a JWT and nothing more; its zip carries joserfc and cryptography and
not pydantic (devtools.cli.package.CARRIES_ONLY). pydantic and pydantic-core would be over a third
of its zip and a large share of its init (see docs/performance.md), and reading four variables is
all the authorizer would ask of them. So this module reads the variables itself, under the names
and bounds that `foyer.identity.settings.IdentitySettings` (the BFFs' pydantic settings) declares from the
constants below, and names every variable that is missing or invalid in one StartupError.

Outside Lambda a variable the environment lacks comes from the local stack's file, as for every
other app (`make dev` runs the real authorizer handler in its gateway); that path imports the
pydantic stack-file model, and only there: in Lambda there is never a stack file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from foyer.startup import StartupError, in_lambda

# Environment names by field name (the field names are IdentitySettings' and the stack file loader's).
VARIABLES = {
    "jwt_issuer": "FOYER_JWT_ISSUER",
    "jwt_audience": "FOYER_JWT_AUDIENCE",
    "jwks_url": "FOYER_JWKS_URL",
    "jwt_leeway_s": "FOYER_JWT_LEEWAY_S",
}
REQUIRED = ("jwt_issuer", "jwt_audience", "jwks_url")
DEFAULT_LEEWAY_S = 30  # clock skew between the issuer and us; RFC 7519 allows "a few minutes"
MAX_LEEWAY_S = 300
JWKS_SCHEMES = ("https", "http", "file")  # what foyer.identity.jwks.fetch_jwks reads


@dataclass(frozen=True)
class IssuerSettings:
    """Whose RS256 tokens are accepted, for which audience, and where the issuer's keys are."""

    issuer: str
    audience: str
    jwks_url: str
    leeway_s: int = DEFAULT_LEEWAY_S


def _leeway(raw: str) -> int | str:
    """The leeway in seconds, or what is wrong with `raw`."""
    try:
        value = int(raw)
    except ValueError:
        return f"an integer number of seconds, not {raw!r}"
    if not 0 <= value <= MAX_LEEWAY_S:
        return f"from 0 to {MAX_LEEWAY_S} seconds, not {value}"
    return value


def _from_stack_file() -> dict[str, Any]:
    # Deferred: the loader and the stack file's model are pydantic, which the authorizer's zip lacks.
    from foyer.identity.settings import IdentitySettings
    from foyer.settings import from_stack_file

    return {k: v for k, v in from_stack_file(IdentitySettings, "authorizer").items() if k in VARIABLES}


def issuer_settings(environ: Mapping[str, str] = os.environ) -> IssuerSettings:
    """The issuer's settings from `environ` (outside Lambda, the local stack's file fills the gaps);
    StartupError naming each variable that is missing or invalid."""
    values: dict[str, Any] = {name: environ[var] for name, var in VARIABLES.items() if var in environ}
    if not in_lambda(environ) and any(not values.get(name) for name in REQUIRED):
        values = {**_from_stack_file(), **values}
    problems = [f"{VARIABLES[name]}: not set" for name in REQUIRED if not values.get(name)]
    jwks_url = str(values.get("jwks_url") or "")
    if jwks_url and urlsplit(jwks_url).scheme not in JWKS_SCHEMES:
        schemes = ", ".join(f"{scheme}://" for scheme in JWKS_SCHEMES)
        problems.append(f"{VARIABLES['jwks_url']}: a URL starting {schemes}, not {jwks_url!r}")
    leeway = _leeway(str(values["jwt_leeway_s"])) if "jwt_leeway_s" in values else DEFAULT_LEEWAY_S
    if isinstance(leeway, str):
        problems.append(f"{VARIABLES['jwt_leeway_s']}: {leeway}")
    if problems:
        raise StartupError(f"the token issuer's settings cannot load: {'; '.join(problems)}")
    assert isinstance(leeway, int)
    return IssuerSettings(values["jwt_issuer"], values["jwt_audience"], jwks_url, leeway)
