"""The callers a BFF serves: a signed-in user, or a partner holding an API key."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class User:
    """A user whose token the edge (or the local issuer's JWKS) vouched for."""

    user_id: str


@dataclass(frozen=True)
class Partner:
    """A partner identified by its API key; `tier` names its usage plan."""

    partner_id: str
    tier: str
    api_key_id: str
