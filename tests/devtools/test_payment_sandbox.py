"""The payment provider sandbox over real HTTP: keys, idempotency, declines, seeded faults, its record."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from devtools.devstack import processes
from devtools.devstack.emulator import free_port
from devtools.devstack.payment_sandbox import DEFAULT_API_KEY, FAULTS, SandboxConfig
from devtools.devstack.payment_sandbox.__main__ import parse
from devtools.devstack.payment_sandbox.faults import FaultPlan
from devtools.devstack.payment_sandbox.server import RunningSandbox, argv, in_thread

AUTH = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
# Long enough that the retries right after a timeout arrive while it hangs, even on a busy machine.
HANG_MS = 1500


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    """One fault-free sandbox for the module; each test uses its own order ids."""
    with in_thread(SandboxConfig(hang_ms=HANG_MS, retry_after_s=7)) as running:
        yield running


@pytest.fixture
def api(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url, headers=AUTH, timeout=5) as client:
        yield client


def form(order_id: str, **changes: str) -> dict[str, str]:
    return {
        "amount": "1250",
        "currency": "EUR",
        "source": "tok_visa",
        "metadata[order_id]": order_id,
        **changes,
    }


def charge(api: httpx.Client, order_id: str, *, key: str | None = "same", **changes: str) -> httpx.Response:
    headers = {"Idempotency-Key": order_id if key == "same" else key} if key else {}
    return api.post("/v1/charges", data=form(order_id, **changes), headers=headers)


def charges_of(api: httpx.Client, order_id: str) -> list[dict[str, Any]]:
    answer = api.get("/v1/charges", params={"metadata[order_id]": order_id, "limit": "100"})
    assert answer.status_code == 200
    data: list[dict[str, Any]] = answer.json()["data"]
    return data


def script(sandbox: RunningSandbox, *faults: str) -> None:
    assert httpx.post(f"{sandbox.url}/_sandbox/faults", json={"next": list(faults)}).status_code == 200


# -- keys -------------------------------------------------------------------------------------------


def test_a_request_without_a_key_is_401(sandbox: RunningSandbox) -> None:
    answer = httpx.post(f"{sandbox.url}/v1/charges", data=form("o-nokey"))
    assert answer.status_code == 401
    assert answer.json()["error"]["type"] == "invalid_request_error"


def test_a_wrong_key_is_401_and_echoed_masked(sandbox: RunningSandbox) -> None:
    wrong = "sk_test_not_the_sandbox_key_1234"
    answer = httpx.post(
        f"{sandbox.url}/v1/charges", data=form("o-wrongkey"), headers={"Authorization": f"Bearer {wrong}"}
    )
    assert answer.status_code == 401
    assert wrong not in answer.text
    assert answer.json()["error"]["message"].endswith("1234")


def test_keys_can_be_rotated() -> None:
    with in_thread() as running:
        rotated = httpx.post(f"{running.url}/_sandbox/keys", json={"keys": ["sk_test_next"]})
        assert rotated.status_code == 200
        old = httpx.post(f"{running.url}/v1/charges", data=form("o-rot"), headers=AUTH)
        new = httpx.post(
            f"{running.url}/v1/charges", data=form("o-rot"), headers={"Authorization": "Bearer sk_test_next"}
        )
    assert (old.status_code, new.status_code) == (401, 200)


def test_a_running_sandbox_can_be_made_flaky_and_well_again() -> None:
    with in_thread() as running:
        behaviour = f"{running.url}/_sandbox/behaviour"
        assert httpx.get(behaviour).json()["error_rate"] == 0.0
        flaky = httpx.post(behaviour, json={"error_rate": 1, "faults": ["503"], "retry_after_s": 0})
        assert flaky.status_code == 200, flaky.text
        assert (flaky.json()["error_rate"], flaky.json()["faults"]) == (1, ["503"])
        failed = httpx.post(f"{running.url}/v1/charges", data=form("o-flaky"), headers=AUTH)
        assert httpx.post(behaviour, json={"error_rate": 0}).status_code == 200
        charged = httpx.post(f"{running.url}/v1/charges", data=form("o-well"), headers=AUTH)
    assert (failed.status_code, charged.status_code) == (503, 200)


def test_a_setting_keeps_its_type_whatever_value_it_was_given_last() -> None:
    """The README's `{"error_rate": 0}` then `{"error_rate": 0.3}`: a rate stays a rate."""
    with in_thread() as running:
        behaviour = f"{running.url}/_sandbox/behaviour"
        assert httpx.post(behaviour, json={"error_rate": 0, "latency_ms": 0}).status_code == 200
        again = httpx.post(behaviour, json={"error_rate": 0.3, "latency_ms": 50})
    assert again.status_code == 200, again.text
    assert (again.json()["error_rate"], again.json()["latency_ms"]) == (0.3, 50)


@pytest.mark.parametrize(
    "body",
    [
        {"error_rate": 2},
        {"latency_ms": 0.5},
        {"error_rate": "0.3"},
        {"latency_ms": True},
        {"faults": ["boom"]},
        {"api_keys": []},
    ],
)
def test_a_bad_behaviour_is_refused_and_changes_nothing(body: dict[str, Any]) -> None:
    with in_thread() as running:
        behaviour = f"{running.url}/_sandbox/behaviour"
        before = httpx.get(behaviour).json()
        assert httpx.post(behaviour, json=body).status_code == 400
        assert httpx.get(behaviour).json() == before


# -- charges and idempotency ------------------------------------------------------------------------


def test_a_charge_is_made_and_recorded(api: httpx.Client) -> None:
    answer = charge(api, "o-ok")
    assert answer.status_code == 200
    made = answer.json()
    assert made["id"].startswith("ch_")
    assert (made["status"], made["amount"], made["currency"]) == ("succeeded", 1250, "eur")
    assert made["metadata"] == {"order_id": "o-ok"}
    assert "Idempotent-Replayed" not in answer.headers
    assert charges_of(api, "o-ok") == [made]
    assert api.get(f"/v1/charges/{made['id']}").json() == made


def test_the_same_key_and_body_replay_the_first_charge(api: httpx.Client) -> None:
    first = charge(api, "o-replay")
    again = charge(api, "o-replay")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(charges_of(api, "o-replay")) == 1


def test_the_same_parameters_in_another_order_are_the_same_request(api: httpx.Client) -> None:
    first = charge(api, "o-order")
    body = "source=tok_visa&metadata%5Border_id%5D=o-order&currency=EUR&amount=1250"
    headers = {"Idempotency-Key": "o-order", "Content-Type": "application/x-www-form-urlencoded"}
    again = api.post("/v1/charges", content=body, headers=headers)
    assert again.json()["id"] == first.json()["id"]


def test_the_same_key_with_another_body_is_422_and_charges_nothing(api: httpx.Client) -> None:
    charge(api, "o-mismatch")
    other = charge(api, "o-mismatch", amount="999")
    assert other.status_code == 422
    assert other.json()["error"]["type"] == "idempotency_error"
    assert len(charges_of(api, "o-mismatch")) == 1


def test_without_a_key_every_request_is_a_new_charge(api: httpx.Client) -> None:
    charge(api, "o-nokey-twice", key=None)
    charge(api, "o-nokey-twice", key=None)
    assert len(charges_of(api, "o-nokey-twice")) == 2


@pytest.mark.parametrize(
    ("source", "code", "decline_code"),
    [
        ("tok_decline", "card_declined", "generic_decline"),
        ("tok_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
        ("tok_chargeDeclinedExpiredCard", "expired_card", "expired_card"),
    ],
)
def test_a_declining_token_is_402_and_its_failed_charge_recorded(
    api: httpx.Client, source: str, code: str, decline_code: str
) -> None:
    order = f"o-{source}"
    answer = charge(api, order, source=source)
    assert answer.status_code == 402
    error = answer.json()["error"]
    assert (error["type"], error["code"], error["decline_code"]) == ("card_error", code, decline_code)
    [recorded] = charges_of(api, order)
    assert (recorded["id"], recorded["status"], recorded["paid"]) == (error["charge"], "failed", False)
    assert charge(api, order, source=source).json() == answer.json()  # a decline replays too


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"amount": "0"}, "parameter_invalid_integer"),
        ({"amount": "12.50"}, "parameter_invalid_integer"),
        ({"amount": ""}, "parameter_missing"),
        ({"currency": "EURO"}, "parameter_invalid"),
        ({"source": "tok_nonsense"}, "resource_missing"),
        ({"price": "1"}, "parameter_unknown"),
    ],
)
def test_bad_parameters_are_400_and_charge_nothing(
    api: httpx.Client, changes: dict[str, str], code: str
) -> None:
    order = f"o-bad-{code}-{len(json.dumps(changes))}"
    answer = charge(api, order, **changes)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == code
    assert charges_of(api, order) == []


def test_a_json_body_is_400(api: httpx.Client) -> None:
    answer = api.post("/v1/charges", json=form("o-json"), headers={"Idempotency-Key": "o-json"})
    assert answer.status_code == 400
    assert charges_of(api, "o-json") == []


# -- faults -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["429", "503"])
def test_refusals_ask_for_a_wait_and_charge_nothing(
    sandbox: RunningSandbox, api: httpx.Client, fault: str
) -> None:
    order = f"o-refused-{fault}"
    script(sandbox, fault)
    answer = charge(api, order)
    assert answer.status_code == int(fault)
    assert answer.headers["Retry-After"] == "7"
    assert charges_of(api, order) == []
    assert charge(api, order).status_code == 200


def test_a_500_comes_after_the_charge_and_a_retry_replays_it(
    sandbox: RunningSandbox, api: httpx.Client
) -> None:
    script(sandbox, "500")
    assert charge(api, "o-500").status_code == 500
    [made] = charges_of(api, "o-500")
    again = charge(api, "o-500")
    assert again.json()["id"] == made["id"]
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_garbage_body_comes_after_the_charge(sandbox: RunningSandbox, api: httpx.Client) -> None:
    script(sandbox, "garbage", "garbage", "garbage")
    answers = [charge(api, f"o-garbage-{i}") for i in range(3)]
    for answer in answers:
        assert answer.status_code == 200
        with pytest.raises((ValueError, KeyError, TypeError)):
            answer.json()["id"]
    for i in range(3):
        assert len(charges_of(api, f"o-garbage-{i}")) == 1


def test_a_timed_out_charge_is_in_flight_then_made_once(sandbox: RunningSandbox, api: httpx.Client) -> None:
    script(sandbox, "timeout")
    with pytest.raises(httpx.ReadTimeout):
        api.post("/v1/charges", data=form("o-hang"), headers={"Idempotency-Key": "o-hang"}, timeout=0.05)
    statuses = []
    deadline = time.monotonic() + 10 * HANG_MS / 1000
    while time.monotonic() < deadline:
        statuses.append(charge(api, "o-hang").status_code)
        if statuses[-1] != 409:
            break
        time.sleep(0.02)
    # The first retry comes well within the hang; the last one after it.
    assert statuses[0] == 409
    assert statuses[-1] == 200
    assert len(charges_of(api, "o-hang")) == 1


def test_latency_is_added_to_every_request() -> None:
    with in_thread(SandboxConfig(latency_ms=500)) as slow, pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{slow.url}/v1/charges", data=form("o-slow"), headers=AUTH, timeout=0.1)


def test_scripted_faults_are_counted(sandbox: RunningSandbox) -> None:
    before = httpx.get(f"{sandbox.url}/_sandbox/faults").json()["injected"].get("503", 0)
    script(sandbox, "503")
    httpx.post(f"{sandbox.url}/v1/charges", data=form("o-count"), headers=AUTH)
    assert httpx.get(f"{sandbox.url}/_sandbox/faults").json()["injected"]["503"] == before + 1


def test_an_unknown_scripted_fault_is_refused(sandbox: RunningSandbox) -> None:
    assert httpx.post(f"{sandbox.url}/_sandbox/faults", json={"next": ["418"]}).status_code == 400


def draws(config: SandboxConfig, keys: list[str]) -> list[str | None]:
    plan = FaultPlan(config)
    return [plan.draw(key)[0] for key in keys]


def test_faults_follow_the_seed_and_the_rate() -> None:
    keys = [f"order-{i}" for i in range(1000)]
    config = SandboxConfig(seed=7, error_rate=0.3)
    first = draws(config, keys)
    assert draws(config, keys) == first
    assert draws(SandboxConfig(seed=8, error_rate=0.3), keys) != first
    share = sum(fault is not None for fault in first) / len(first)
    assert 0.25 < share < 0.35
    assert {fault for fault in first if fault} == set(FAULTS)
    assert draws(SandboxConfig(seed=7, error_rate=0.0), keys) == [None] * len(keys)


def test_an_orders_draws_do_not_depend_on_other_orders() -> None:
    config = SandboxConfig(seed=3, error_rate=0.5)
    alone = draws(config, ["a", "a", "a"])
    interleaved = draws(config, ["b", "a", "c", "a", "b", "a"])
    assert [interleaved[i] for i in (1, 3, 5)] == alone


@pytest.mark.parametrize(
    "bad", [{"error_rate": 1.5}, {"latency_ms": -1}, {"faults": ()}, {"faults": ("404",)}]
)
def test_a_config_out_of_range_is_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        SandboxConfig(**bad)


# -- as its own process -----------------------------------------------------------------------------


def test_the_command_line_builds_the_config() -> None:
    config, host, port = parse(
        [
            "--port",
            "8300",
            "--seed",
            "5",
            "--error-rate",
            "0.3",
            "--latency-ms",
            "50",
            "--faults",
            "429,timeout",
        ]
    )
    assert (host, port) == ("127.0.0.1", 8300)
    assert (config.seed, config.error_rate, config.latency_ms, config.faults) == (
        5,
        0.3,
        50,
        ("429", "timeout"),
    )
    assert parse(argv(config, port=8300)[3:]) == (config, host, port)


def test_the_command_line_refuses_a_bad_rate() -> None:
    with pytest.raises(SystemExit):
        parse(["--error-rate", "2"])


def test_it_runs_as_its_own_process() -> None:
    port = free_port()
    child = processes.start(
        "payment-sandbox",
        [*argv(SandboxConfig(seed=1), port=port)],
        env=processes.python_env({}),
    )
    try:
        processes.wait_healthy(child, f"http://127.0.0.1:{port}/health", timeout=30)
        answer = httpx.post(
            f"http://127.0.0.1:{port}/v1/charges",
            data=form("o-proc"),
            headers={**AUTH, "Idempotency-Key": "o"},
        )
        assert answer.status_code == 200
    finally:
        child.stop()


# -- refunds ----------------------------------------------------------------------------------------


def refund(api: httpx.Client, charge_id: str, key: str | None) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return api.post("/v1/refunds", data={"charge": charge_id}, headers=headers)


def test_a_charge_is_refunded_once_and_a_repeat_with_its_key_answers_the_same_refund(
    api: httpx.Client,
) -> None:
    charged = charge(api, "o-refund").json()
    first = refund(api, charged["id"], "refund-o-refund")
    again = refund(api, charged["id"], "refund-o-refund")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert first.json()["amount"] == 1250
    assert first.json()["metadata"] == {"order_id": "o-refund"}
    # Recorded, so tests count them: one refund, and the charge says it is refunded.
    listed = api.get("/v1/refunds", params={"metadata[order_id]": "o-refund"}).json()["data"]
    assert [r["id"] for r in listed] == [first.json()["id"]]
    assert api.get("/v1/refunds", params={"charge": charged["id"]}).json()["data"] == listed
    assert charges_of(api, "o-refund")[0]["refunded"] is True
    # Another key for the same charge is a second refund request: refused, nothing recorded.
    other = refund(api, charged["id"], "another-key")
    assert other.status_code == 400
    assert other.json()["error"]["code"] == "charge_already_refunded"
    assert len(api.get("/v1/refunds", params={"charge": charged["id"]}).json()["data"]) == 1


def test_refunds_of_unknown_or_declined_charges_and_bad_requests_are_refused(
    sandbox: RunningSandbox, api: httpx.Client
) -> None:
    assert refund(api, "ch_missing", None).status_code == 404
    declined = charge(api, "o-refund-declined", source="tok_decline").json()["error"]["charge"]
    assert refund(api, declined, None).json()["error"]["code"] == "charge_not_refundable"
    assert api.post("/v1/refunds", data={"charge": "ch_x", "amount": "1"}).status_code == 400
    assert api.post("/v1/refunds", data={}).status_code == 400
    assert httpx.post(f"{sandbox.url}/v1/refunds", data={"charge": "ch_x"}).status_code == 401
