"""AWS clients: one per service name per process, created on first use, typed for mypy.

Creating a boto3 client is one of the costliest steps of a cold start, so it never happens at import time
(that would be paid by every cold start, even of routes that touch no AWS API). The endpoint comes from
`AWS_ENDPOINT_URL` or the local stack file: the same code path serves the emulator and AWS.

The client types come from boto3-stubs (a dev dependency) and are imported for the type checker
only: a Lambda imports nothing more than it did with untyped clients. Code that wants another
client (a test's, a second region's) takes one as a parameter (e.g. `foyer.dynamodb.Table`)
and falls back to these.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Literal, overload

from foyer.settings import FoyerSettings, platform

if TYPE_CHECKING:
    from mypy_boto3_apigateway import APIGatewayClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sts import STSClient

# The services Foyer calls; each has its boto3-stubs extra in the dev group and an overload below.
ServiceName = Literal[
    "apigateway", "dynamodb", "events", "lambda", "secretsmanager", "sesv2", "sns", "sqs", "sts"
]

_clients: dict[str, Any] = {}
_lock = threading.Lock()


@overload
def client(
    service_name: Literal["apigateway"], settings: FoyerSettings | None = None
) -> APIGatewayClient: ...
@overload
def client(service_name: Literal["dynamodb"], settings: FoyerSettings | None = None) -> DynamoDBClient: ...
@overload
def client(service_name: Literal["events"], settings: FoyerSettings | None = None) -> EventBridgeClient: ...
@overload
def client(service_name: Literal["lambda"], settings: FoyerSettings | None = None) -> LambdaClient: ...
@overload
def client(
    service_name: Literal["secretsmanager"], settings: FoyerSettings | None = None
) -> SecretsManagerClient: ...
@overload
def client(service_name: Literal["sesv2"], settings: FoyerSettings | None = None) -> SESV2Client: ...
@overload
def client(service_name: Literal["sns"], settings: FoyerSettings | None = None) -> SNSClient: ...
@overload
def client(service_name: Literal["sqs"], settings: FoyerSettings | None = None) -> SQSClient: ...
@overload
def client(service_name: Literal["sts"], settings: FoyerSettings | None = None) -> STSClient: ...
def client(service_name: ServiceName, settings: FoyerSettings | None = None) -> Any:
    """The process-wide boto3 client for `service_name` (thread-safe, created once).

    `settings` only matter to the call that creates the client; later calls get the same one.
    """
    found = _clients.get(service_name)
    if found is not None:
        return found
    with _lock:
        if service_name not in _clients:
            _clients[service_name] = _create(service_name, settings or platform())
        return _clients[service_name]


def _create(service_name: str, settings: FoyerSettings) -> Any:
    import boto3  # deferred: a costly import that routes without AWS calls never need
    from botocore.config import Config

    config = Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=2,
        read_timeout=5,
        max_pool_connections=32,
    )
    session = boto3.session.Session(
        aws_access_key_id=settings.aws_access_key_id,
        aws_secret_access_key=settings.aws_secret_access_key,
        region_name=settings.aws_region,
    )
    return session.client(service_name, endpoint_url=settings.aws_endpoint_url, config=config)  # type: ignore[call-overload]


def errors() -> tuple[type[Exception], ...]:
    """What a call through these clients raises when AWS (or the way to it) fails: for `except
    aws.errors():`, which imports botocore's exceptions only when one is being handled."""
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError)


def reset() -> None:
    """Forget every client (tests that point the process at another endpoint)."""
    with _lock:
        _clients.clear()
