"""What an API Gateway Lambda authorizer answers: an IAM policy for the caller, and the context the
integration receives (`requestContext.authorizer`)."""

from __future__ import annotations

from typing import Any


class Unauthorized(Exception):
    """Raised with exactly this message, API Gateway answers 401 (its documented contract)."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


def api_wide(method_arn: str) -> str:
    """Every method of every stage of the API that `method_arn` belongs to.

    API Gateway caches the policy per token (authorizer_result_ttl_in_seconds) and reuses it for the
    token's next requests, whichever route they call: a policy naming only the first method would
    refuse the rest with 403 until the cache expires.
    `arn:aws:execute-api:eu-west-1:123:abc/dev/GET/products` -> `arn:aws:execute-api:eu-west-1:123:abc/*`.
    """
    prefix, _, path = method_arn.partition(":execute-api:")
    if not path:
        raise ValueError(f"not an execute-api method ARN: {method_arn!r}")
    region_account_api = path.split("/", 1)[0]
    return f"{prefix}:execute-api:{region_account_api}/*"


def allow(user_id: str, method_arn: str, *, expires_at: int) -> dict[str, Any]:
    """The answer letting `user_id` call the API, with its id and its token's expiry in the context.

    API Gateway reuses a cached answer for the token's later requests (up to the authorizer's TTL)
    whatever the token's `exp`; `exp` (epoch seconds, a decimal string as API Gateway hands every
    context value to the integration) lets the BFF refuse the token on every request once it expires.
    """
    statement = {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": api_wide(method_arn)}
    return {
        "principalId": user_id,
        "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        "context": {"user_id": user_id, "exp": str(expires_at)},
    }


def bearer_token(event: dict[str, Any]) -> str | None:
    """The token of a TOKEN authorizer event (`authorizationToken`) or a REQUEST one (its headers)."""
    value = event.get("authorizationToken")
    if value is None:
        headers = event.get("headers") or {}
        value = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    if not isinstance(value, str):
        return None
    scheme, _, token = value.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None
