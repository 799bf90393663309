"""API Gateway REST (v1) proxy events for the benchmarks, in the shape AWS sends to `/{proxy+}`."""

from __future__ import annotations

from typing import Any

REQUEST_ID = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


def rest_event(
    path: str, *, method: str = "GET", stage: str = "dev", headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """A complete REST proxy event for `method path` on the execute-api URL (no stage in `path`)."""
    base_headers = {
        "Accept": "application/json",
        "Host": "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com",
        "User-Agent": "foyer-bench/1.0",
        "X-Amzn-Trace-Id": "Root=1-5e66d96f-7491f09xmpl79d18acf3d050",
        "X-Forwarded-For": "198.51.100.7",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
        **(headers or {}),
    }
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": base_headers,
        "multiValueHeaders": {k: [v] for k, v in base_headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourceId": "2gxmpl",
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "requestTime": "10/Mar/2020:00:03:59 +0000",
            "path": f"/{stage}{path}",
            "accountId": "123456789012",
            "protocol": "HTTP/1.1",
            "stage": stage,
            "domainPrefix": "a1b2c3d4e5",
            "requestTimeEpoch": 1583798639428,
            "requestId": REQUEST_ID,
            "identity": {"sourceIp": "198.51.100.7", "userAgent": "foyer-bench/1.0"},
            "domainName": "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com",
            "apiId": "a1b2c3d4e5",
        },
        "body": None,
        "isBase64Encoded": False,
    }
