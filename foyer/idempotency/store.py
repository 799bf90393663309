"""Idempotency records in the owning service's table, claimed with one conditional write.

Item: `pk` = `idempotency#<key>` (and `idempotency` under the sort key of a table that has one),
`status` (`in_progress`|`completed`), `payload_hash`, `token` (which claim holds it), `claimed_at_ms`,
`expires_at` (epoch seconds, the table's TTL attribute) and, once completed, `response_status`,
`response_headers`, `response_body`.

The claim is a put that succeeds only if no live record exists: none at all, an expired one (TTL
deletes late), or an in-progress one older than the timeout (its holder died). Concurrent claims of
one key therefore have exactly one winner. Completing and releasing are conditioned on the token, so
a holder whose claim was taken over cannot overwrite the new holder's record.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta
from typing import Any

from foyer.dynamodb import Condition, ConditionFailed, Item, Table, single_key
from foyer.idempotency.exceptions import KeyReused, RequestInFlight
from foyer.idempotency.record import IdempotencyRecord, Status, StoredResponse

PREFIX = "idempotency#"
TTL_ATTRIBUTE = "expires_at"
# Keys are honoured for a day (Stripe's window); a claim not completed within a minute is presumed
# dead: longer than any request of ours may run (API Gateway's integration timeout is 29 s).
EXPIRY = timedelta(hours=24)
IN_PROGRESS_TIMEOUT = timedelta(seconds=60)
log = logging.getLogger("foyer.idempotency")


def idempotency_key(key: str, sort_key: str | None = None) -> dict[str, str]:
    return single_key(PREFIX + key, sort_key, "idempotency")


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class Claim:
    """The right to process the request of one key, held until `IdempotencyStore.complete` or
    `release`."""

    def __init__(self, key: str, token: str) -> None:
        self.key = key
        self.token = token


class IdempotencyStore:
    """The idempotency records of one table (`sort_key`: its sort key attribute, if it has one)."""

    def __init__(
        self,
        table: Table,
        *,
        expiry: timedelta = EXPIRY,
        in_progress_timeout: timedelta = IN_PROGRESS_TIMEOUT,
        sort_key: str | None = None,
    ) -> None:
        self.table = table
        self.sort_key = sort_key
        self.expiry_ms = int(expiry.total_seconds() * 1000)
        self.timeout_ms = int(in_progress_timeout.total_seconds() * 1000)

    def claim(self, key: str, payload_hash: str, *, now_ms: int | None = None) -> Claim | StoredResponse:
        """Claim `key` for the request hashed `payload_hash`: a Claim to go ahead, or the stored
        response of the same request completed before.

        Raises KeyReused when the key belongs to another request, RequestInFlight when the same
        request is still being processed by a live claim.
        """
        now = _now_ms() if now_ms is None else now_ms
        token = uuid.uuid4().hex
        try:
            self.table.put(self._claim_item(key, payload_hash, token, now), condition=self._claimable(now))
        except ConditionFailed as refused:
            # The refused write returns the item that beat it (ALL_OLD): no second read that could
            # race. The condition failed, so it holds a live record as of `now`.
            if refused.item is None:
                raise
            return self._answer(record_of(key, refused.item), payload_hash, now)
        return Claim(key, token)

    def complete(self, claim: Claim, response: StoredResponse, *, now_ms: int | None = None) -> bool:
        """Store the response of a claimed request; False when the claim was taken over meanwhile
        (the response is then not stored: the new holder's will be)."""
        now = _now_ms() if now_ms is None else now_ms
        update = Condition(
            "SET #status = :completed, #expires = :expires, #rs = :rs, #rh = :rh, #rb = :rb",
            {
                "#status": "status",
                "#expires": TTL_ATTRIBUTE,
                "#rs": "response_status",
                "#rh": "response_headers",
                "#rb": "response_body",
            },
            {
                ":completed": Status.COMPLETED.value,
                ":expires": self._expires_at(now),
                ":rs": response.status,
                ":rh": dict(response.headers),
                ":rb": response.body,
            },
        )
        try:
            self.table.update(self._key(claim.key), update, condition=_held_by(claim))
        except ConditionFailed:
            log.warning("idempotency claim taken over before completion", extra={"key": claim.key})
            return False
        return True

    def release(self, claim: Claim) -> None:
        """Give the key back unanswered (the request failed): a retry with the key runs again."""
        try:
            self.table.delete(self._key(claim.key), condition=_held_by(claim))
        except ConditionFailed:
            log.warning("idempotency claim taken over before release", extra={"key": claim.key})

    def get(self, key: str) -> IdempotencyRecord | None:
        item = self.table.get(self._key(key), consistent=True)
        return None if item is None else record_of(key, item)

    def _answer(self, existing: IdempotencyRecord, payload_hash: str, now: int) -> StoredResponse:
        if not existing.is_same_request(payload_hash):
            raise KeyReused(existing.key)
        if existing.status is Status.IN_PROGRESS or existing.response is None:
            raise RequestInFlight(existing.key, existing.retry_after_s(now, self.timeout_ms))
        return existing.response

    def _claim_item(self, key: str, payload_hash: str, token: str, now: int) -> dict[str, Any]:
        return {
            **self._key(key),
            "status": Status.IN_PROGRESS.value,
            "payload_hash": payload_hash,
            "token": token,
            "claimed_at_ms": now,
            TTL_ATTRIBUTE: self._expires_at(now),
        }

    def _claimable(self, now: int) -> Condition:
        return Condition(
            "attribute_not_exists(#pk) OR #expires <= :now_s"
            " OR (#status = :in_progress AND #claimed <= :stale_ms)",
            {"#pk": "pk", "#expires": TTL_ATTRIBUTE, "#status": "status", "#claimed": "claimed_at_ms"},
            {
                ":now_s": now // 1000,
                ":in_progress": Status.IN_PROGRESS.value,
                ":stale_ms": now - self.timeout_ms,
            },
        )

    def _key(self, key: str) -> dict[str, str]:
        return idempotency_key(key, self.sort_key)

    def _expires_at(self, now_ms: int) -> int:
        return (now_ms + self.expiry_ms) // 1000


def _held_by(claim: Claim) -> Condition:
    return Condition("#token = :token", {"#token": "token"}, {":token": claim.token})


def record_of(key: str, item: Item) -> IdempotencyRecord:
    """The record a table item holds."""
    response = None
    if "response_status" in item:
        response = StoredResponse(
            status=int(item["response_status"]),
            headers=dict(item.get("response_headers", {})),
            body=str(item.get("response_body", "")),
        )
    return IdempotencyRecord(
        key=key,
        status=Status(item["status"]),
        payload_hash=str(item["payload_hash"]),
        token=str(item["token"]),
        claimed_at_ms=int(item["claimed_at_ms"]),
        expires_at=int(item[TTL_ATTRIBUTE]),
        response=response,
    )
