"""AWS clients: one per service name per process, created on first use.

Creating a boto3 client costs about 200 ms, so it never happens at import time (that would be
paid by every cold start, even of routes that touch no AWS API). The endpoint comes from
`AWS_ENDPOINT_URL` or the local stack file: the same code path serves the emulator and AWS.
"""

from __future__ import annotations

import threading
from typing import Any

from foyer.settings import FoyerSettings, platform

_clients: dict[str, Any] = {}
_lock = threading.Lock()


def client(service_name: str, settings: FoyerSettings | None = None) -> Any:
    """The process-wide boto3 client for `service_name` (thread-safe, created once)."""
    found = _clients.get(service_name)
    if found is not None:
        return found
    with _lock:
        if service_name not in _clients:
            _clients[service_name] = _create(service_name, settings or platform())
        return _clients[service_name]


def _create(service_name: str, settings: FoyerSettings) -> Any:
    import boto3  # deferred: ~100 ms of import that routes without AWS calls never need
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


def reset() -> None:
    """Forget every client (tests that point the process at another endpoint)."""
    with _lock:
        _clients.clear()
