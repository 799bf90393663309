"""The callers a BFF serves: a signed-in user, or a partner holding an API key."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

# A user's customer id: this prefix and the subject's SHA-256 in unpadded base64url (43 characters).
# Partner ids never hold `_` (the rest_api module's `partners` validation), so no user's id can be a
# partner's: the two share the orders service's `customer_id` without sharing anyone's orders.
USER_PREFIX = "u_"


def customer_id(subject: str) -> str:
    """The id under which the orders service keeps the orders of the user whose IdP subject is `subject`.

    Any subject an identity provider issues (`auth0|5f7c...`, `google-oauth2|...`, an e-mail address,
    non-ASCII, hundreds of characters) maps to 45 characters of `[A-Za-z0-9_-]`, the same for the
    same subject in every BFF and mode; a subject that is an e-mail address stays out of order records,
    events and logs.
    """
    digest = hashlib.sha256(subject.encode("utf-8", "surrogatepass")).digest()
    return USER_PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass(frozen=True)
class User:
    """A user whose token the edge (or the local issuer's JWKS) vouched for; `user_id` is the token's
    subject as the identity provider issued it."""

    user_id: str

    @property
    def customer_id(self) -> str:
        """The id the user's orders are kept under (foyer.identity.principals.customer_id)."""
        return customer_id(self.user_id)


@dataclass(frozen=True)
class Partner:
    """A partner identified by its API key; `tier` names its usage plan."""

    partner_id: str
    tier: str
    api_key_id: str
