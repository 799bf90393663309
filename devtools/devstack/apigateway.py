"""API Gateway REST (v1) proxy events, built the way API Gateway builds them for `/{proxy+}`.

Used wherever something must speak to a Lambda handler as API Gateway does: the tests, the
benchmarks and the local stack's gateway in Lambda mode; never a Lambda itself (so it lives in the
dev-only `devtools.devstack`, which no zip carries). The shape follows AWS's documented example event.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

API_ID = "a1b2c3d4e5"
ACCOUNT_ID = "123456789012"


def rest_event(
    method: str,
    path: str,
    *,
    stage: str = "dev",
    stage_in_path: bool = False,
    headers: Mapping[str, str] | None = None,
    query: Mapping[str, Sequence[str]] | None = None,
    body: str | bytes | None = None,
    source_ip: str = "198.51.100.7",
    request_id: str | None = None,
    region: str = "eu-west-1",
    authorizer: Mapping[str, Any] | None = None,
    api_key_id: str | None = None,
    resource: str = "/{proxy+}",
    resource_id: str = "2gxmpl",
    path_parameters: Mapping[str, str] | None = None,
    multi_headers: Sequence[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """The event for `method path` (the app's path, `/products/9`) on `stage`.

    `event.path` carries `/<stage>` in front only with `stage_in_path` (custom domains without a
    base path mapping, some consoles); on the execute-api URL it does not. `requestContext.path`
    always does. Bytes bodies arrive base64-encoded, as for binary media types. `resource` is the
    resource API Gateway selected (`/{proxy+}` unless told), with its `path_parameters`; without
    them, those of `/{proxy+}`. `multi_headers` lists every header as received, repeats included.
    """
    host = f"{API_ID}.execute-api.{region}.amazonaws.com"
    staged = f"/{stage}{path}" if path != "/" else f"/{stage}"
    given = {name.lower() for name in headers or {}}
    defaults = {"Host": host, "X-Forwarded-Proto": "https", "X-Forwarded-Port": "443"}
    all_headers = {
        **{name: value for name, value in defaults.items() if name.lower() not in given},
        **(headers or {}),
    }
    if "x-forwarded-for" not in given:
        all_headers["X-Forwarded-For"] = source_ip
    text = base64.b64encode(body).decode() if isinstance(body, bytes) else body
    query = {name: list(values) for name, values in (query or {}).items()}
    multi: dict[str, list[str]] = {}
    for name, value in multi_headers or ():
        multi.setdefault(name, []).append(value)
    for name, value in all_headers.items():
        if name not in multi:
            multi[name] = [value]
    if path_parameters is None and resource == "/{proxy+}":
        path_parameters = {"proxy": path.lstrip("/")} if path != "/" else None
    now = time.time()
    return {
        "resource": resource,
        "path": staged if stage_in_path else path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": multi,
        # The single-value map holds the last value of each name, as API Gateway's does.
        "queryStringParameters": {name: values[-1] for name, values in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": dict(path_parameters) if path_parameters else None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": resource_id,
            "resourcePath": resource,
            "httpMethod": method,
            "extendedRequestId": uuid.uuid4().hex[:16],
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "path": staged,
            "accountId": ACCOUNT_ID,
            "protocol": "HTTP/1.1",
            "stage": stage,
            "domainPrefix": API_ID,
            "requestTimeEpoch": int(now * 1000),
            "requestId": request_id or str(uuid.uuid4()),
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "sourceIp": source_ip,
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": all_headers.get("User-Agent"),
                "user": None,
                "apiKeyId": api_key_id,
            },
            **({"authorizer": dict(authorizer)} if authorizer else {}),
            "domainName": host,
            "apiId": API_ID,
        },
        "body": text,
        "isBase64Encoded": isinstance(body, bytes),
    }
