"""SigV4 for calls to services in AWS, where their function URLs admit only IAM-signed callers.

One piece for every caller: the BFFs (bff.shared.wiring) and orders' catalog client.
botocore's SigV4Auth over the function's own credentials (its execution role, renewed by botocore
as they rotate), for the service `lambda`: a function URL with AWS_IAM auth refuses a request
signed for any other service (`execute-api` is API Gateway's) with 403. Locally the services take
unsigned calls and nothing here is imported: botocore is loaded on the first signed request, never
at import.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import httpx


class SigV4(httpx.Auth):
    """Signs each request for `service` (Lambda function URLs: `lambda`) in `region`."""

    requires_request_body = True

    def __init__(self, region: str, service: str = "lambda") -> None:
        self.region = region
        self.service = service
        self._credentials: Any = None

    def _frozen_credentials(self) -> Any:
        if self._credentials is None:
            import botocore.session  # deferred: ~100 ms that unsigned (local) callers never pay

            self._credentials = botocore.session.get_session().get_credentials()
            if self._credentials is None:
                raise RuntimeError("no AWS credentials to sign service calls with")
        return self._credentials.get_frozen_credentials()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        # Only what the service sees is signed: connection-level headers may change on the way.
        signed_headers = {k: v for k, v in request.headers.items() if k.lower() not in {"connection"}}
        aws_request = AWSRequest(
            method=request.method, url=str(request.url), data=request.content, headers=signed_headers
        )
        SigV4Auth(self._frozen_credentials(), self.service, self.region).add_auth(aws_request)
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
            value = aws_request.headers.get(name)
            if value is not None:
                request.headers[name] = value
        yield request


def signing(enabled: bool, region: str) -> httpx.Auth | None:
    """The auth for service calls: SigV4 for function URLs when `enabled` (in AWS), else none."""
    return SigV4(region) if enabled else None
