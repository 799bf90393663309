"""Secret values read from Secrets Manager at run time and cached per process for a short while.

A function's environment holds only a secret's ARN or name (docs/architecture.md, "Secrets and settings"). The
value is read on first use, kept for `ttl_s` so a warm execution environment does not pay a Secrets Manager
call per event, and read again after that, so a rotation reaches every process within `ttl_s` (AWS's own
caching client keeps values an hour by default; ours is minutes). A caller that learns the value is stale (a
provider answering 401) asks for `refresh()` at once.

Values are `pydantic.SecretStr`: printed, logged or put in an f-string they read `**********`;
only `get_secret_value()` gives the text, at the one place that sends it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import SecretStr

from foyer import aws

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

__all__ = ["DEFAULT_TTL_S", "CachedSecret"]

DEFAULT_TTL_S = 300.0

# botocore logs every response body at DEBUG, GetSecretValue's SecretString included (caught by
# tests/services/payments/test_provider.py with LOG_LEVEL=DEBUG): its parser logs at INFO or above only.
logging.getLogger("botocore.parsers").setLevel(logging.INFO)


class CachedSecret:
    """The current (`AWSCURRENT`) string value of one secret, read again once `ttl_s` has passed."""

    def __init__(
        self,
        secret_id: str,
        *,
        ttl_s: float = DEFAULT_TTL_S,
        client: SecretsManagerClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.secret_id = secret_id
        self.ttl_s = ttl_s
        self._client = client
        self._clock = clock
        self._lock = threading.Lock()
        self._value: SecretStr | None = None
        self._read_at = 0.0

    def value(self) -> SecretStr:
        """The secret's value, from the cache while it is younger than `ttl_s`."""
        with self._lock:
            if self._value is None or self._clock() - self._read_at >= self.ttl_s:
                self._read()
            assert self._value is not None
            return self._value

    def refresh(self) -> SecretStr:
        """The secret's value read now (the cached one was refused), cached from now on."""
        with self._lock:
            self._read()
            assert self._value is not None
            return self._value

    def _read(self) -> None:
        client = self._client or aws.client("secretsmanager")
        answer = client.get_secret_value(SecretId=self.secret_id)
        text = answer.get("SecretString")
        if text is None:
            # The ARN is safe to name; the value (binary here) never is.
            raise ValueError(f"secret {self.secret_id} holds no string value")
        self._value = SecretStr(text)
        self._read_at = self._clock()

    def __repr__(self) -> str:
        return f"CachedSecret({self.secret_id!r}, ttl_s={self.ttl_s})"
