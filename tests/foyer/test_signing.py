"""foyer.signing: SigV4 for the services' function URLs, on only where settings say so."""

from __future__ import annotations

import re

import httpx
import pytest

from foyer.signing import SigV4, signing

# AWS4-HMAC-SHA256 Credential=<key>/<yyyymmdd>/<region>/<service>/aws4_request,
# SignedHeaders=<h1;h2;...>, Signature=<64 hex digits> (botocore.auth.SigV4Auth's shape).
AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[a-z0-9-]+)/(?P<service>[a-z-]+)"
    r"/aws4_request, SignedHeaders=(?P<headers>[a-z0-9;-]+), Signature=(?P<signature>[0-9a-f]{64})"
)


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """A function's role credentials, as the Lambda runtime puts them in the environment."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ASIAEXAMPLEKEY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "session-token")


def signed(auth: httpx.Auth, request: httpx.Request) -> httpx.Request:
    """`request` as `auth` sends it."""
    flow = auth.sync_auth_flow(request)
    return next(flow)


def test_a_request_is_signed_for_lambda_function_urls_in_the_region(credentials: None) -> None:
    request = httpx.Request(
        "POST",
        "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-central-1.on.aws/orders",
        json={"lines": []},
        headers={"X-Correlation-Id": "cid-1"},
    )
    auth = signing(True, "eu-central-1")
    assert isinstance(auth, SigV4)

    sent = signed(auth, request)

    match = AUTHORIZATION.fullmatch(sent.headers["authorization"])
    assert match, sent.headers["authorization"]
    assert match["key"] == "ASIAEXAMPLEKEY"
    assert match["region"] == "eu-central-1"
    # A function URL with AWS_IAM auth answers 403 to a request signed for any other service.
    assert match["service"] == "lambda"
    assert match["date"] == sent.headers["x-amz-date"][:8]
    signed_headers = match["headers"].split(";")
    assert {"host", "x-amz-date", "x-amz-security-token", "content-type", "x-correlation-id"} <= set(
        signed_headers
    )
    assert signed_headers == sorted(signed_headers)
    assert sent.headers["x-amz-security-token"] == "session-token"


def test_locally_nothing_is_signed() -> None:
    assert signing(False, "eu-west-1") is None
