"""The idempotency record and the rules that decide what a repeated request gets (no storage, no HTTP)."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field


class Status(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


@dataclass(frozen=True)
class StoredResponse:
    """The first answer, as replayed: status, the headers worth repeating, and the body as text."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str = ""


@dataclass(frozen=True)
class IdempotencyRecord:
    """One key's record: who holds it (`token`), for which request (`payload_hash`), since when
    (`claimed_at_ms`), until when it counts (`expires_at`, epoch seconds) and, once completed,
    the response."""

    key: str
    status: Status
    payload_hash: str
    token: str
    claimed_at_ms: int
    expires_at: int
    response: StoredResponse | None = None

    def is_same_request(self, payload_hash: str) -> bool:
        return self.payload_hash == payload_hash

    def is_expired(self, now_ms: int) -> bool:
        """Past its expiry (DynamoDB's TTL deletes lazily, up to days later, so this is checked too)."""
        return self.expires_at * 1000 <= now_ms

    def is_abandoned(self, now_ms: int, timeout_ms: int) -> bool:
        """An in-progress claim older than `timeout_ms`: its holder is presumed dead, another may take it."""
        return self.status is Status.IN_PROGRESS and self.claimed_at_ms + timeout_ms <= now_ms

    def retry_after_s(self, now_ms: int, timeout_ms: int) -> int:
        """Whole seconds until this in-progress claim can be taken over (at least 1)."""
        return max(1, math.ceil((self.claimed_at_ms + timeout_ms - now_ms) / 1000))
