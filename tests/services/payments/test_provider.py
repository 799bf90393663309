"""The payment provider client against the sandbox: outcomes, retries, the idempotency key, the API key."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from devtools.devstack.emulator import free_port
from devtools.devstack.payment_sandbox import DEFAULT_API_KEY, SandboxConfig
from devtools.devstack.payment_sandbox.server import RunningSandbox, in_thread
from foyer import aws
from foyer.secrets import CachedSecret
from services.payments.provider import (
    MAX_AMOUNT,
    Authorized,
    ChargeRejected,
    Declined,
    Failed,
    KeyRefused,
    PaymentProvider,
    Refunded,
)
from services.payments.provider.responses import Transient, read, retry_after

HANG_MS = 300


@dataclass
class FixedKey:
    """An API key source that never changes (`rotated_to`: what a refresh reads instead)."""

    key: str = DEFAULT_API_KEY
    rotated_to: str | None = None
    refreshes: int = 0

    def value(self) -> SecretStr:
        return SecretStr(self.key)

    def refresh(self) -> SecretStr:
        self.refreshes += 1
        if self.rotated_to is not None:
            self.key = self.rotated_to
        return SecretStr(self.key)


@dataclass
class Sleeps:
    """A fake `sleep` that records what it was asked to wait."""

    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    """A fault-free sandbox (faults are scripted per test); timed-out charges finish after HANG_MS."""
    with in_thread(SandboxConfig(hang_ms=HANG_MS, retry_after_s=3)) as running:
        yield running


def provider(url: str, key: Any = None, **options: Any) -> PaymentProvider:
    options.setdefault("sleep", Sleeps())
    return PaymentProvider(url, key or FixedKey(), **options)


def impatient(url: str) -> PaymentProvider:
    """A client that gives up on an answer long before the sandbox's hang ends, and really waits
    (briefly) between attempts: a timed-out charge is in flight (409) until the hang is over."""
    return provider(
        url,
        read_timeout_s=0.05,
        sleep=time.sleep,
        base_wait_s=0.02,
        max_wait_s=0.1,
        max_attempts=50,
        max_total_s=30,
    )


def order() -> str:
    return f"order-{uuid.uuid4().hex[:12]}"


def charges_of(sandbox: RunningSandbox, order_id: str) -> list[dict[str, Any]]:
    return sandbox.state.ledger.of_order(order_id)


def script(sandbox: RunningSandbox, *faults: str) -> None:
    sandbox.state.faults.script(faults)


def test_a_charge_is_authorized_once_with_the_order_id_as_idempotency_key(sandbox: RunningSandbox) -> None:
    order_id = order()
    outcome = provider(sandbox.url).charge(order_id, 1250, "EUR", "tok_visa")
    assert isinstance(outcome, Authorized)
    assert (outcome.attempts, outcome.replayed) == (1, False)
    [made] = charges_of(sandbox, order_id)
    assert (made["id"], made["amount"], made["currency"], made["status"]) == (
        outcome.charge_id,
        1250,
        "eur",
        "succeeded",
    )
    assert order_id in sandbox.state.ledger.keys


def test_charging_an_order_again_returns_its_first_charge(sandbox: RunningSandbox) -> None:
    order_id = order()
    client = provider(sandbox.url)
    first = client.charge(order_id, 1250, "EUR", "tok_visa")
    again = client.charge(order_id, 1250, "EUR", "tok_visa")
    assert isinstance(first, Authorized)
    assert again == Authorized(first.charge_id, attempts=1, replayed=True)
    assert len(charges_of(sandbox, order_id)) == 1


def test_a_decline_is_an_outcome_and_never_retried(sandbox: RunningSandbox) -> None:
    order_id = order()
    sleeps = Sleeps()
    outcome = provider(sandbox.url, sleep=sleeps).charge(
        order_id, 1250, "EUR", "tok_chargeDeclinedInsufficientFunds"
    )
    assert isinstance(outcome, Declined)
    assert (outcome.reason, outcome.attempts, sleeps.waits) == ("insufficient_funds", 1, [])
    [declined] = charges_of(sandbox, order_id)
    assert (declined["id"], declined["status"]) == (outcome.charge_id, "failed")
    assert sandbox.state.faults.requests[order_id] == 1


@pytest.mark.parametrize(
    ("fault", "replayed"), [("429", False), ("503", False), ("500", True), ("garbage", True)]
)
def test_a_transient_failure_is_retried_and_charges_once(
    sandbox: RunningSandbox, fault: str, replayed: bool
) -> None:
    order_id = order()
    script(sandbox, fault, fault)
    outcome = provider(sandbox.url).charge(order_id, 1250, "EUR", "tok_visa")
    assert isinstance(outcome, Authorized)
    assert (outcome.attempts, outcome.replayed) == (3, replayed)
    assert len(charges_of(sandbox, order_id)) == 1


def test_every_garbage_body_is_transient(sandbox: RunningSandbox) -> None:
    # Five shapes of garbage are drawn from the seeded source: thirty draws see each of them.
    for _ in range(30):
        order_id = order()
        script(sandbox, "garbage")
        outcome = provider(sandbox.url).charge(order_id, 1250, "EUR", "tok_visa")
        assert outcome == Authorized(charges_of(sandbox, order_id)[0]["id"], attempts=2, replayed=True)


def test_a_timeout_is_retried_through_the_in_flight_409s_to_the_one_charge(sandbox: RunningSandbox) -> None:
    order_id = order()
    script(sandbox, "timeout")
    outcome = impatient(sandbox.url).charge(order_id, 1250, "EUR", "tok_visa")
    assert isinstance(outcome, Authorized)
    assert outcome.replayed
    assert outcome.attempts >= 2  # the timeout, any 409s while it hangs, the replay
    assert len(charges_of(sandbox, order_id)) == 1


def test_a_429_waits_what_retry_after_asks(sandbox: RunningSandbox) -> None:
    sleeps = Sleeps()
    script(sandbox, "429", "503")
    outcome = provider(sandbox.url, sleep=sleeps, base_wait_s=0.01, max_wait_s=0.05).charge(
        order(), 1250, "EUR", "tok_visa"
    )
    assert isinstance(outcome, Authorized)
    assert sleeps.waits == [3.0, 3.0]


def test_a_retry_after_past_the_time_bound_fails_at_once(sandbox: RunningSandbox) -> None:
    sleeps = Sleeps()
    order_id = order()
    script(sandbox, "429")
    outcome = provider(sandbox.url, sleep=sleeps, max_total_s=2).charge(order_id, 1250, "EUR", "tok_visa")
    assert outcome == Failed("HTTP 429", attempts=1)
    assert sleeps.waits == []
    assert charges_of(sandbox, order_id) == []


def test_failures_past_the_attempts_are_failed_not_raised(sandbox: RunningSandbox) -> None:
    order_id = order()
    script(sandbox, "503", "503", "503")
    sleeps = Sleeps()
    outcome = provider(sandbox.url, sleep=sleeps, max_attempts=3).charge(order_id, 1250, "EUR", "tok_visa")
    assert outcome == Failed("HTTP 503", attempts=3)
    assert len(sleeps.waits) == 2
    assert charges_of(sandbox, order_id) == []


def test_a_provider_that_is_down_is_a_transient_failure() -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    outcome = provider(nobody, max_attempts=2).charge(order(), 1250, "EUR", "tok_visa")
    assert outcome == Failed("transport error (ConnectError)", attempts=2)


def test_a_refused_request_is_raised_and_not_retried(sandbox: RunningSandbox) -> None:
    order_id = order()
    with pytest.raises(ChargeRejected) as refused:
        provider(sandbox.url).charge(order_id, 1250, "EUR", "tok_nonsense")
    assert (refused.value.status, refused.value.code) == (400, "resource_missing")
    assert sandbox.state.faults.requests[order_id] == 1


def test_an_order_charged_with_other_parameters_is_refused(sandbox: RunningSandbox) -> None:
    order_id = order()
    client = provider(sandbox.url)
    client.charge(order_id, 1250, "EUR", "tok_visa")
    with pytest.raises(ChargeRejected) as refused:
        client.charge(order_id, 999, "EUR", "tok_visa")
    assert (refused.value.status, refused.value.code) == (422, "idempotency_key_reused")
    assert len(charges_of(sandbox, order_id)) == 1


def test_a_401_reads_the_key_again_once(sandbox: RunningSandbox) -> None:
    key = FixedKey("sk_test_rotated_away", rotated_to=DEFAULT_API_KEY)
    outcome = provider(sandbox.url, key).charge(order(), 1250, "EUR", "tok_visa")
    assert isinstance(outcome, Authorized)
    assert key.refreshes == 1


def test_a_key_refused_even_when_read_again_is_raised(sandbox: RunningSandbox) -> None:
    key = FixedKey("sk_test_wrong_key_for_sure_9876")
    with pytest.raises(KeyRefused) as refused:
        provider(sandbox.url, key).charge(order(), 1250, "EUR", "tok_visa")
    assert key.refreshes == 1
    assert "9876" not in str(refused.value)


@pytest.mark.parametrize(
    ("order_id", "amount"),
    [("", 100), ("x" * 256, 100), ("order-1", 0), ("order-1", -5), ("order-1", MAX_AMOUNT + 1)],
)
def test_a_meaningless_charge_is_a_value_error(order_id: str, amount: int) -> None:
    with pytest.raises(ValueError):
        provider("http://127.0.0.1:9").charge(order_id, amount, "EUR", "tok_visa")


@pytest.mark.parametrize(
    ("status", "final"), [(400, True), (404, True), (422, True), (401, False), (403, False)]
)
def test_a_refusal_is_final_unless_it_refuses_our_credentials(status: int, final: bool) -> None:
    assert ChargeRejected(status, "code", "message").final is final


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (409, b'{"error": {"type": "idempotency_error", "code": "idempotency_key_in_use"}}', "HTTP 409"),
        (502, b"<html>Bad Gateway</html>", "HTTP 502"),
        (200, b'{"id": "ch_1", "status": "pending"}', "HTTP 200 with an unreadable body"),
        (402, b"not json", "HTTP 402 with an unreadable body"),
    ],
)
def test_answers_worth_another_attempt_are_transient(status: int, body: bytes, reason: str) -> None:
    with pytest.raises(Transient) as transient:
        read(httpx.Response(status, content=body))
    assert transient.value.reason.startswith(reason)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("3", 3.0),
        (" 0 ", 0.0),
        ("Fri, 27 Nov 2026 12:00:10 GMT", 10.0),
        ("soon", None),
        (None, None),
        ("-1", None),
    ],
)
def test_retry_after_reads_seconds_and_dates(header: str | None, expected: float | None) -> None:
    now = 1_795_780_800.0  # Fri, 27 Nov 2026 12:00:00 GMT
    assert retry_after(header, now=now) == expected


def test_50_orders_with_30_percent_transient_failures_are_each_charged_exactly_once() -> None:
    config = SandboxConfig(seed=2026, error_rate=0.3, hang_ms=HANG_MS, retry_after_s=0)
    orders = [f"bulk-{i:02d}" for i in range(50)]
    with in_thread(config) as flaky:
        client = impatient(flaky.url)
        with ThreadPoolExecutor(max_workers=5) as pool:
            outcomes = dict(
                zip(
                    orders, pool.map(lambda o: client.charge(o, 1000, "EUR", "tok_visa"), orders), strict=True
                )
            )
        injected = dict(flaky.state.faults.injected)
        counts = {o: len(charges_of(flaky, o)) for o in orders}
    assert all(isinstance(outcome, Authorized) for outcome in outcomes.values()), outcomes
    assert counts == dict.fromkeys(orders, 1)
    # The run proved something: every kind of fault happened, and answers lost after a charge were replayed.
    assert set(injected) == {"429", "503", "500", "garbage", "timeout"}, injected
    assert any(outcome.replayed for outcome in outcomes.values() if isinstance(outcome, Authorized))


# -- the API key from Secrets Manager ---------------------------------------------------------------


@pytest.mark.integration
def test_a_rotated_key_is_picked_up_on_the_providers_401(foyer_aws: None, clock: Any) -> None:
    sm = aws.client("secretsmanager")
    first, second = f"sk_test_first_{uuid.uuid4().hex}", f"sk_test_second_{uuid.uuid4().hex}"
    arn = sm.create_secret(Name=f"payments/provider-{uuid.uuid4().hex[:8]}", SecretString=first)["ARN"]
    key = CachedSecret(arn, ttl_s=300, clock=clock)
    with in_thread(SandboxConfig(api_keys=frozenset({first}))) as running:
        client = provider(running.url, key)
        assert isinstance(client.charge(order(), 500, "EUR", "tok_visa"), Authorized)
        sm.put_secret_value(SecretId=arn, SecretString=second)
        httpx.post(f"{running.url}/_sandbox/keys", json={"keys": [second]})
        # Within the TTL the cache still holds the first key: the 401 makes the client read again.
        assert isinstance(client.charge(order(), 500, "EUR", "tok_visa"), Authorized)
        assert key.value().get_secret_value() == second


@pytest.mark.integration
def test_the_key_is_never_logged_or_printed(
    foyer_aws: None, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    secret = f"sk_test_secret_{uuid.uuid4().hex}"
    arn = aws.client("secretsmanager").create_secret(
        Name=f"payments/p-{uuid.uuid4().hex[:8]}", SecretString=secret
    )["ARN"]
    # From here on, what runs in a payments function: reading the secret, charging, failing.
    caplog.set_level(logging.DEBUG)  # botocore, httpx and httpcore log requests at DEBUG
    key = CachedSecret(arn)
    seen: list[str] = [repr(key), str(key.value()), repr(key.value()), f"{key.value()}"]
    with in_thread(SandboxConfig(api_keys=frozenset({secret}), hang_ms=HANG_MS)) as running:
        client = provider(running.url, key, max_attempts=3)
        script(running, "503", "garbage", "500")
        seen += [repr(client.charge(order(), 500, "EUR", "tok_visa")) for _ in range(2)]
        seen.append(repr(client.charge(order(), 500, "EUR", "tok_decline")))
        script(running, "503", "503", "503")
        seen.append(repr(client.charge(order(), 500, "EUR", "tok_visa")))
        with pytest.raises(ChargeRejected) as rejected:
            client.charge(order(), 500, "EUR", "tok_unknown")
        seen.append(str(rejected.value))
        httpx.post(f"{running.url}/_sandbox/keys", json={"keys": ["sk_test_other"]})
        with pytest.raises(KeyRefused) as refused:
            client.charge(order(), 500, "EUR", "tok_visa")
        seen.append(str(refused.value))
    out, err = capfd.readouterr()
    assert "charge" in caplog.text  # the client and the sandbox did log
    for text in [caplog.text, out, err, *seen]:
        assert secret not in text


def test_a_refund_is_made_once_per_key_and_a_repeat_returns_it(sandbox: RunningSandbox) -> None:
    order_id = order()
    client = provider(sandbox.url)
    charged = client.charge(order_id, 1250, "EUR", "tok_visa")
    assert isinstance(charged, Authorized)
    first = client.refund(charged.charge_id, f"refund-{order_id}")
    again = client.refund(charged.charge_id, f"refund-{order_id}")
    assert isinstance(first, Refunded)
    assert again == Refunded(first.refund_id, attempts=1, replayed=True)
    assert [r["id"] for r in sandbox.state.ledger.refunds_of(charged.charge_id)] == [first.refund_id]


def test_a_refund_rides_out_transient_failures_and_reads_a_rotated_key(sandbox: RunningSandbox) -> None:
    order_id = order()
    charged = provider(sandbox.url).charge(order_id, 1250, "EUR", "tok_visa")
    assert isinstance(charged, Authorized)
    key = FixedKey(key="sk_test_stale", rotated_to=DEFAULT_API_KEY)
    sleeps = Sleeps()
    client = provider(sandbox.url, key, sleep=sleeps)
    real_post = client._post
    answers = iter([503, 429])

    def flaky(url: str, form: dict[str, str], idempotency_key: str, api_key: SecretStr) -> httpx.Response:
        # The stale key meets the sandbox's 401; the fresh one a 503, then a 429, then the refund.
        if api_key.get_secret_value() == DEFAULT_API_KEY and (status := next(answers, None)) is not None:
            return httpx.Response(status, headers={"Retry-After": "0"})
        return real_post(url, form, idempotency_key, api_key)

    client._post = flaky  # type: ignore[method-assign]
    refunded = client.refund(charged.charge_id, f"refund-{order_id}")
    assert isinstance(refunded, Refunded)
    assert refunded.attempts == 3
    assert key.refreshes == 1
    assert len(sandbox.state.ledger.refunds_of(charged.charge_id)) == 1


def test_a_refund_refused_by_the_provider_is_raised(sandbox: RunningSandbox) -> None:
    with pytest.raises(ChargeRejected, match="resource_missing"):
        provider(sandbox.url).refund("ch_unknown", "refund-unknown")
    with pytest.raises(KeyRefused):
        provider(sandbox.url, FixedKey(key="sk_test_wrong")).refund("ch_unknown", "refund-unknown")


def test_a_refund_without_an_answer_is_failed(sandbox: RunningSandbox) -> None:
    outcome = provider(f"http://127.0.0.1:{free_port()}", max_attempts=2).refund("ch_x", "refund-x")
    assert isinstance(outcome, Failed)
    assert outcome.attempts == 2
