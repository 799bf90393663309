"""foyer.idempotency.store against the emulator: the four outcomes of a claim, takeover of an
abandoned claim, expiry through the TTL attribute, and one winner among concurrent claims."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from foyer.dynamodb import Table
from foyer.idempotency import (
    Claim,
    IdempotencyStore,
    KeyReused,
    RequestInFlight,
    Status,
    StoredResponse,
)
from foyer.idempotency.store import idempotency_key

pytestmark = pytest.mark.integration

NOW_MS = 1_795_770_000_000
ANSWER = StoredResponse(201, {"location": "/orders/o-1", "content-type": "application/json"}, '{"id":"o-1"}')


@pytest.fixture
def store(service_table: Table) -> IdempotencyStore:
    return IdempotencyStore(
        service_table, expiry=timedelta(hours=24), in_progress_timeout=timedelta(seconds=60)
    )


def _claimed(outcome: Claim | StoredResponse) -> Claim:
    assert isinstance(outcome, Claim)
    return outcome


def test_a_first_claim_records_the_request_in_progress_with_its_expiry(
    store: IdempotencyStore, service_table: Table
) -> None:
    _claimed(store.claim("k1", "hash-a", now_ms=NOW_MS))

    record = store.get("k1")
    assert record is not None
    assert (record.status, record.payload_hash, record.claimed_at_ms) == (
        Status.IN_PROGRESS,
        "hash-a",
        NOW_MS,
    )
    item = service_table.get(idempotency_key("k1"), consistent=True)
    assert item is not None
    assert item["expires_at"] == NOW_MS // 1000 + 24 * 3600


def test_the_same_request_after_completion_gets_the_stored_response(store: IdempotencyStore) -> None:
    claim = _claimed(store.claim("k1", "hash-a", now_ms=NOW_MS))
    assert store.complete(claim, ANSWER, now_ms=NOW_MS + 500) is True

    assert store.claim("k1", "hash-a", now_ms=NOW_MS + 1_000) == ANSWER
    record = store.get("k1")
    assert record is not None
    assert record.status is Status.COMPLETED
    assert record.expires_at == (NOW_MS + 500) // 1000 + 24 * 3600


@pytest.mark.parametrize("completed", [False, True])
def test_the_same_key_with_another_request_is_refused(store: IdempotencyStore, completed: bool) -> None:
    claim = _claimed(store.claim("k1", "hash-a", now_ms=NOW_MS))
    if completed:
        store.complete(claim, ANSWER, now_ms=NOW_MS)

    with pytest.raises(KeyReused):
        store.claim("k1", "hash-b", now_ms=NOW_MS + 1_000)


def test_a_duplicate_while_the_first_is_in_flight_is_told_when_to_retry(store: IdempotencyStore) -> None:
    store.claim("k1", "hash-a", now_ms=NOW_MS)

    with pytest.raises(RequestInFlight) as in_flight:
        store.claim("k1", "hash-a", now_ms=NOW_MS + 15_000)

    assert in_flight.value.retry_after_s == 45


def test_an_abandoned_claim_is_taken_over_and_its_old_holder_cannot_overwrite_it(
    store: IdempotencyStore,
) -> None:
    dead = _claimed(store.claim("k1", "hash-a", now_ms=NOW_MS))

    taken = _claimed(store.claim("k1", "hash-a", now_ms=NOW_MS + 60_000))
    assert taken.token != dead.token

    assert store.complete(dead, StoredResponse(500), now_ms=NOW_MS + 61_000) is False
    store.release(dead)
    assert store.complete(taken, ANSWER, now_ms=NOW_MS + 62_000) is True
    assert store.claim("k1", "hash-a", now_ms=NOW_MS + 63_000) == ANSWER


def test_an_expired_record_is_claimed_anew_before_the_ttl_deletes_it(store: IdempotencyStore) -> None:
    claim = _claimed(store.claim("k1", "hash-a", now_ms=NOW_MS))
    store.complete(claim, ANSWER, now_ms=NOW_MS)
    a_day_later = NOW_MS + 24 * 3600 * 1000

    _claimed(store.claim("k1", "hash-b", now_ms=a_day_later))


def test_a_released_key_runs_again(store: IdempotencyStore) -> None:
    claim = _claimed(store.claim("k1", "hash-a", now_ms=NOW_MS))
    store.release(claim)

    assert store.get("k1") is None
    _claimed(store.claim("k1", "hash-a", now_ms=NOW_MS + 1))


def test_concurrent_claims_of_one_key_have_exactly_one_winner(store: IdempotencyStore) -> None:
    claimants = 16
    barrier = threading.Barrier(claimants)

    def claim(_: int) -> object:
        barrier.wait()
        try:
            return store.claim("contended", "hash-a")
        except RequestInFlight as exc:
            return exc

    with ThreadPoolExecutor(max_workers=claimants) as pool:
        outcomes = list(pool.map(claim, range(claimants)))

    assert sum(isinstance(o, Claim) for o in outcomes) == 1
    assert sum(isinstance(o, RequestInFlight) for o in outcomes) == claimants - 1


def test_a_table_with_a_sort_key_holds_records_under_a_constant_sort_value(sort_keyed_table: Table) -> None:
    store = IdempotencyStore(sort_keyed_table, sort_key="sk")
    claim = _claimed(store.claim("k1", "hash-a", now_ms=NOW_MS))
    store.complete(claim, ANSWER, now_ms=NOW_MS)

    assert store.claim("k1", "hash-a", now_ms=NOW_MS + 1) == ANSWER
    with pytest.raises(KeyReused):
        store.claim("k1", "hash-b", now_ms=NOW_MS + 1)
    assert sort_keyed_table.get(idempotency_key("k1", "sk"), consistent=True) is not None
