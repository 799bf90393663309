"""What verifying a token yields, and the shape of anything that verifies one (foyer.identity.tokens).

Kept apart from `tokens` so code that only needs the shape (the BFFs' dependencies) does not import
the JOSE library: behind API Gateway a BFF never verifies a token itself, and its zip does not carry
joserfc and cryptography (about 5 MB zipped for arm64, and their import at every cold start).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class VerifiedToken:
    """A token whose signature and claims check out."""

    subject: str
    claims: Mapping[str, Any]


class Verifier(Protocol):
    """Verifies a bearer token, raising Unauthenticated when it does not check out."""

    def verify(self, token: str) -> VerifiedToken: ...
