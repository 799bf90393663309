"""What API Gateway decides for a selected method before the integration runs, done locally: the
stage's method throttling, its request validator's required parameters, its Lambda authorizer (only
where the method's authorization is CUSTOM; the answer cached per identity for the authorizer's TTL,
never past the token's `exp`), its API key and the key's usage plan (only where the method requires
a key). A refusal is a `Refusal` naming the gateway response type API Gateway would answer with.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from devtools.devstack.restapi import Authorizer, RestApi, Route
from foyer.identity import OverUsagePlan
from foyer.identity.partners import KeyLookup
from foyer.identity.plans import UsageMeter

# handler(event, context) of a Lambda authorizer: an IAM policy, or an exception saying "Unauthorized".
AuthorizerHandler = Callable[[dict[str, Any], Any], Mapping[str, Any]]
API_KEY_HEADER = "x-api-key"
log = logging.getLogger("devtools.devstack.edge")


class Refusal(Exception):
    """API Gateway answers the request itself with its gateway response `response_type`."""

    def __init__(
        self, response_type: str, message: str | None = None, headers: Mapping[str, str] | None = None
    ):
        super().__init__(response_type)
        self.response_type = response_type
        self.message = message
        self.headers = dict(headers or {})


@dataclass(frozen=True)
class Admission:
    """What the integration gets: the authorizer's context, the API key's id (either may be None)."""

    authorizer: dict[str, Any] | None = None
    api_key_id: str | None = None


@dataclass
class _Cached:
    until: float
    policy: Mapping[str, Any]


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name), None)


def _arn_pattern(resource: str) -> re.Pattern[str]:
    # IAM's wildcards in execute-api ARNs: `*` any run of characters (slashes too), `?` one.
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in resource))


def _covers(statement: Mapping[str, Any], method_arn: str) -> bool:
    actions = statement.get("Action", [])
    actions = [actions] if isinstance(actions, str) else actions
    if not any(a in {"*", "execute-api:*", "execute-api:Invoke"} for a in actions):
        return False
    resources = statement.get("Resource", [])
    resources = [resources] if isinstance(resources, str) else resources
    return any(_arn_pattern(resource).fullmatch(method_arn) for resource in resources)


def allows(policy: Mapping[str, Any], method_arn: str) -> bool:
    """Whether the authorizer's policy lets the caller invoke `method_arn` (an explicit Deny wins)."""
    statements = (policy.get("policyDocument") or {}).get("Statement") or []
    statements = [statements] if isinstance(statements, Mapping) else statements
    covering = [s for s in statements if isinstance(s, Mapping) and _covers(s, method_arn)]
    if any(s.get("Effect") == "Deny" for s in covering):
        return False
    return any(s.get("Effect") == "Allow" for s in covering)


def token_expiry(policy: Mapping[str, Any], token: str) -> float | None:
    """When the caller's identity ends: `exp` from the authorizer's context, else the token's own.

    The token is decoded without verifying it (the authorizer did): only to bound the cache.
    """
    found = (policy.get("context") or {}).get("exp")
    if found is None:
        payload = token.rpartition(" ")[2].split(".")
        if len(payload) == 3:
            try:
                padded = payload[1] + "=" * (-len(payload[1]) % 4)
                claims = json.loads(base64.urlsafe_b64decode(padded))
                found = claims.get("exp") if isinstance(claims, dict) else None
            except (ValueError, binascii.Error, RecursionError):
                found = None
    try:
        return float(found) if found is not None else None
    except (TypeError, ValueError):
        return None


class Edge:
    """One API's gate as Terraform declared it: authorizers by id, its keys and their plans."""

    def __init__(
        self,
        api: RestApi,
        *,
        region: str,
        account_id: str,
        authorizers: Mapping[str, AuthorizerHandler] | None = None,
        keys: KeyLookup | None = None,
        meter: UsageMeter | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.api = api
        self._arn = f"arn:aws:execute-api:{region}:{account_id}:{api.id}/{api.stage}"
        self._authorizers = dict(authorizers or {})
        self._keys = keys
        self._meter = meter or UsageMeter(clock)
        self._clock = clock
        self._policies: dict[tuple[str, str], _Cached] = {}
        # An authorizer is one Lambda function: its invocations run one at a time, as in one
        # execution environment.
        self._authorizer_lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # setting -> (tokens, when counted)
        self._buckets_lock = threading.Lock()

    def method_arn(self, method: str, path: str) -> str:
        return f"{self._arn}/{method}{path}"

    def admit(self, route: Route, method: str, path: str, headers: Mapping[str, str]) -> Admission:
        """What the integration receives for this request, or the Refusal API Gateway would answer."""
        self._throttle(route)
        self._validate(route, headers)
        context, policy = None, None
        if route.method.authorization_type == "CUSTOM":
            policy = self._authorize(route, method, path, headers)
            context = {"principalId": policy.get("principalId"), **(policy.get("context") or {})}
        key_id = self._meter_key(headers, policy) if route.method.api_key_required else None
        return Admission(authorizer=context, api_key_id=key_id)

    def _throttle(self, route: Route) -> None:
        """The stage's method throttling: one token bucket per setting, shared by every caller."""
        found = self.api.throttle(route)
        if found is None:
            return
        key, (rate, burst) = found
        with self._buckets_lock:
            now = self._clock()
            tokens, at = self._buckets.get(key, (float(burst), now))
            tokens = min(float(burst), tokens + (now - at) * rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                raise Refusal("THROTTLED")
            self._buckets[key] = (tokens - 1.0, now)

    def _validate(self, route: Route, headers: Mapping[str, str]) -> None:
        validator = self.api.validators.get(route.method.request_validator_id or "")
        if validator is None or not validator.validate_parameters:
            return
        missing = [
            name.removeprefix("method.request.header.")
            for name, required in route.method.request_parameters.items()
            if required
            and name.startswith("method.request.header.")
            and _header(headers, name.removeprefix("method.request.header.").lower()) is None
        ]
        if missing:
            raise Refusal(
                "BAD_REQUEST_PARAMETERS", f"Missing required request parameters: [{', '.join(missing)}]"
            )

    def _authorize(
        self, route: Route, method: str, path: str, headers: Mapping[str, str]
    ) -> Mapping[str, Any]:
        authorizer = self.api.authorizers.get(route.method.authorizer_id or "")
        handler = self._authorizers.get(route.method.authorizer_id or "")
        if authorizer is None or handler is None:
            raise Refusal("AUTHORIZER_CONFIGURATION_ERROR")
        if authorizer.type != "TOKEN":
            raise Refusal("AUTHORIZER_CONFIGURATION_ERROR")  # REQUEST authorizers are not served locally
        source = authorizer.identity_source.removeprefix("method.request.header.").lower()
        token = _header(headers, source)
        # A TOKEN authorizer's missing identity, or one its validation expression refuses, is
        # API Gateway's 401 without calling the authorizer.
        if not token or (
            authorizer.validation_expression and not re.fullmatch(authorizer.validation_expression, token)
        ):
            raise Refusal("UNAUTHORIZED")
        method_arn = self.method_arn(method, path)
        policy = self._policy(authorizer, handler, token, method_arn)
        if not allows(policy, method_arn):
            raise Refusal("ACCESS_DENIED")
        return policy

    def _policy(
        self, authorizer: Authorizer, handler: AuthorizerHandler, token: str, method_arn: str
    ) -> Mapping[str, Any]:
        now = self._clock()
        key = (authorizer.id, token)
        cached = self._policies.get(key)
        if cached is not None and cached.until > now:
            return cached.policy
        event = {"type": "TOKEN", "authorizationToken": token, "methodArn": method_arn}
        try:
            with self._authorizer_lock:
                policy = handler(event, None)
        except Exception as refused:
            if str(refused) == "Unauthorized":  # the authorizer contract's 401 (not cached)
                raise Refusal("UNAUTHORIZED") from None
            log.exception("the authorizer failed")
            raise Refusal("AUTHORIZER_FAILURE") from None
        if not isinstance(policy, Mapping) or "policyDocument" not in policy:
            raise Refusal("AUTHORIZER_CONFIGURATION_ERROR")
        until = now + authorizer.ttl_s
        expiry = token_expiry(policy, token)
        if expiry is not None:
            until = min(until, expiry)
        if until > now:
            self._policies[key] = _Cached(until, policy)
        return policy

    def _meter_key(self, headers: Mapping[str, str], policy: Mapping[str, Any] | None) -> str:
        if self._keys is None:
            raise Refusal("INVALID_API_KEY")
        if self.api.api_key_source == "AUTHORIZER":
            value = str((policy or {}).get("usageIdentifierKey") or "") or None
        else:
            value = _header(headers, API_KEY_HEADER)
        found = self._keys.lookup(value) if value else None
        if found is None:
            raise Refusal("INVALID_API_KEY")
        if found.plan is not None:
            try:
                self._meter.admit(found.partner.api_key_id, found.plan)
            except OverUsagePlan as over:
                raise Refusal("THROTTLED" if over.limit == "rate" else "QUOTA_EXCEEDED") from None
        return found.partner.api_key_id
