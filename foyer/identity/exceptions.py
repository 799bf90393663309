"""Identity failures, as the domain sees them; `foyer.identity.problems` maps them to problem+json."""

from __future__ import annotations

import re

# RFC 6750 section 3: `error_description` holds %x20-21 / %x23-5B / %x5D-7E only; anything else in
# a detail is replaced, so no detail can make the header unencodable or break out of its quotes.
_NOT_IN_DESCRIPTION = re.compile(r"[^\x20-\x21\x23-\x5b\x5d-\x7e]")
MAX_DESCRIPTION_CHARS = 200


class IdentityError(Exception):
    """A caller the edge refuses; the message is safe to show that caller."""


class Unauthenticated(IdentityError):
    """No token, or a token that does not verify (401 with `WWW-Authenticate: Bearer`)."""

    def __init__(self, detail: str, *, error: str = "invalid_token") -> None:
        super().__init__(detail)
        self.detail = detail
        # RFC 6750 section 3.1: `invalid_token` for a bad one; no error code when none was sent.
        self.error = error

    @property
    def challenge(self) -> str:
        """The `WWW-Authenticate` value (RFC 6750)."""
        if not self.error:
            return 'Bearer realm="foyer"'
        detail = _NOT_IN_DESCRIPTION.sub("?", self.detail.replace('"', "'"))[:MAX_DESCRIPTION_CHARS]
        return f'Bearer realm="foyer", error="{self.error}", error_description="{detail}"'


class ApiKeyRefused(IdentityError):
    """No `x-api-key`, or one that names no enabled key (403, as API Gateway answers)."""


class OverUsagePlan(IdentityError):
    """A key over its plan's rate, burst or quota (429 with `Retry-After`)."""

    def __init__(self, detail: str, *, retry_after_s: int, limit: str) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s
        self.limit = limit  # "rate" (burst or steady rate) or "quota"


class IdentityUnavailable(IdentityError):
    """Whoever vouches for callers cannot be reached (the issuer's JWKS, the authorizer): nothing is
    wrong with the caller, so 503 with `Retry-After`, never a 401."""

    def __init__(self, detail: str, *, retry_after_s: int = 5) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s
