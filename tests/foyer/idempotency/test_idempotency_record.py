"""foyer.idempotency.record: when a record is the same request, expired, or abandoned by its holder."""

from __future__ import annotations

from foyer.idempotency import IdempotencyRecord, Status

TIMEOUT_MS = 60_000


def _record(status: Status = Status.IN_PROGRESS, claimed_at_ms: int = 1_000_000) -> IdempotencyRecord:
    return IdempotencyRecord("k", status, "hash-a", "token", claimed_at_ms, expires_at=2_000)


def test_the_same_request_is_the_same_payload_hash() -> None:
    assert _record().is_same_request("hash-a")
    assert not _record().is_same_request("hash-b")


def test_a_record_is_expired_from_its_expiry_second_on() -> None:
    assert not _record().is_expired(1_999_999)
    assert _record().is_expired(2_000_000)


def test_an_in_progress_claim_is_abandoned_once_older_than_the_timeout() -> None:
    assert not _record().is_abandoned(1_000_000 + TIMEOUT_MS - 1, TIMEOUT_MS)
    assert _record().is_abandoned(1_000_000 + TIMEOUT_MS, TIMEOUT_MS)


def test_a_completed_record_is_never_abandoned() -> None:
    assert not _record(Status.COMPLETED).is_abandoned(10**12, TIMEOUT_MS)


def test_retry_after_counts_whole_seconds_to_the_takeover_and_at_least_one() -> None:
    assert _record().retry_after_s(1_000_000, TIMEOUT_MS) == 60
    assert _record().retry_after_s(1_000_000 + 59_500, TIMEOUT_MS) == 1
    assert _record().retry_after_s(1_000_000 + 70_000, TIMEOUT_MS) == 1
