"""What API Gateway decides before a BFF's Lambda runs, done locally: the authorizer (its policy cached
per token for the API's TTL), the API key and its usage plan. The local gateway asks `Edge.admit`
for every request; refusals are foyer.identity's exceptions, answered as the BFFs answer them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from foyer.identity import ApiKeyRefused, IdentityUnavailable, Unauthenticated
from foyer.identity.partners import KeyLookup
from foyer.identity.plans import UsageMeter
from foyer.stack_file import Api

# handler(event, context) of a Lambda authorizer: an IAM policy, or an exception saying "Unauthorized".
AuthorizerHandler = Callable[[dict[str, Any], Any], Mapping[str, Any]]
API_KEY_HEADER = "x-api-key"
log = logging.getLogger("foyer.devstack.edge")


@dataclass(frozen=True)
class Admission:
    """What the integration gets: the authorizer's context, the API key's id (either may be None)."""

    authorizer: dict[str, Any] | None = None
    api_key_id: str | None = None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name), None)


def _allowed(policy: Mapping[str, Any]) -> bool:
    statements = (policy.get("policyDocument") or {}).get("Statement") or []
    effects = {statement.get("Effect") for statement in statements}
    return effects == {"Allow"}


class Edge:
    """One API's gate: its authorizer and its keys and plans, as Terraform declared them."""

    def __init__(
        self,
        api: Api,
        *,
        region: str,
        account_id: str,
        authorizer: AuthorizerHandler | None = None,
        keys: KeyLookup | None = None,
        meter: UsageMeter | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if api.authorizer and authorizer is None:
            raise ValueError(f"API {api.id} has an authorizer: pass its handler")
        if api.api_key_required and keys is None:
            raise ValueError(f"API {api.id} requires API keys: pass where to look them up")
        self.api = api
        self._arn = f"arn:aws:execute-api:{region}:{account_id}:{api.id}/{api.stage}"
        self._authorizer = authorizer
        self._keys = keys
        self._meter = meter or UsageMeter()
        self._clock = clock
        self._policies: dict[str, tuple[float, Mapping[str, Any] | None]] = {}

    def admit(self, method: str, path: str, headers: Mapping[str, str]) -> Admission:
        """What the integration receives for this request, or the refusal API Gateway would answer."""
        context = self._authorize(method, path, headers) if self.api.authorizer else None
        key_id = self._meter_key(headers) if self.api.api_key_required else None
        return Admission(authorizer=context, api_key_id=key_id)

    def _authorize(self, method: str, path: str, headers: Mapping[str, str]) -> dict[str, Any]:
        token = _header(headers, "authorization")
        if not token:
            # API Gateway answers a TOKEN authorizer's missing identity source itself.
            raise Unauthenticated("Sign in: send 'Authorization: Bearer <token>'.", error="")
        now = self._clock()
        cached = self._policies.get(token)
        if cached is None or cached[0] <= now:
            policy = self._invoke_authorizer(token, f"{self._arn}/{method}{path}")
            cached = (now + self.api.authorizer_ttl, policy)
            if self.api.authorizer_ttl > 0 and policy is not None:  # a 401 is not cached
                self._policies[token] = cached
        policy = cached[1]
        if policy is None:
            raise Unauthenticated("The token was refused by the authorizer.")
        if not _allowed(policy):
            raise ApiKeyRefused("The authorizer denied this request.")  # API Gateway's 403 for a Deny
        return {"principalId": policy.get("principalId"), **(policy.get("context") or {})}

    def _invoke_authorizer(self, token: str, method_arn: str) -> Mapping[str, Any] | None:
        assert self._authorizer is not None
        event = {"type": "TOKEN", "authorizationToken": token, "methodArn": method_arn}
        try:
            return self._authorizer(event, None)
        except Exception as refused:
            if str(refused) == "Unauthorized":  # the authorizer contract's 401
                return None
            # Any other failure is API Gateway's AUTHORIZER_FAILURE: the rest_api module answers 503.
            log.exception("the authorizer failed")
            raise IdentityUnavailable("The authorizer could not decide; retry shortly.") from None

    def _meter_key(self, headers: Mapping[str, str]) -> str:
        assert self._keys is not None
        value = _header(headers, API_KEY_HEADER)
        found = self._keys.lookup(value) if value else None
        if found is None:
            raise ApiKeyRefused("Forbidden: no valid API key.")
        if found.plan is not None:
            self._meter.admit(found.partner.api_key_id, found.plan)
        return found.partner.api_key_id
