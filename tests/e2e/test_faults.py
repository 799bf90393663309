"""The saga through a dev stack with two faults on: its SQS pollers hand every batch to its consumer
twice, shuffled (`FOYER_SQS_DELIVERY=twice-shuffled`), and its outbox relay "crashes" between a
publish and the removal half the time (`FOYER_RELAY_FAULT=crash-after-publish`), so events go out
again with the same ids. The end state is a well-behaved stack's: every order CONFIRMED, one charge
at the sandbox, one e-mail, each event once on the timeline. Its pollers also receive with a 2 s
visibility timeout (`FOYER_SQS_VISIBILITY_S=2`), so a message that keeps failing reaches its DLQ
in seconds: a wrong provider key parks a charge there, and the redrive command, once the key is
fixed, completes the order. A stack of its own, started after the shared one has stopped
(tests/e2e/conftest.py runs the Ctrl-C test before this module)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from devtools.cli.dead_letters import dead_letter_queues
from devtools.devstack.consumers import DELIVERY_VARIABLE, TWICE_SHUFFLED, VISIBILITY_VARIABLE
from devtools.devstack.payment_sandbox.config import DEFAULT_API_KEY
from devtools.devstack.relays import CRASH_AFTER_PUBLISH, FAULT_VARIABLE
from devtools.devstack.stack import ROOT
from e2e.devstack import OFFSET, RunningStack, emulator_client, start
from e2e.orders import (
    DEADLINE_S,
    SANDBOX,
    charges,
    place,
    sent,
    settled,
    settled_stock,
    stock_of,
    stocked_sku,
    timeline_types,
)

pytestmark = pytest.mark.integration
ORDERS = 6
# A payment result shuffled ahead of its StockReserved is deferred to its redelivery (after the
# receive's visibility timeout, 2 s here; the queue's own, 180 s, without the option): a bound, not
# an expectation.
SHUFFLED_BOUND_S = 240.0
FAULTS = {DELIVERY_VARIABLE: TWICE_SHUFFLED, FAULT_VARIABLE: CRASH_AFTER_PUBLISH, VISIBILITY_VARIABLE: "2"}


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    state_dir = tmp_path_factory.mktemp("devstack-faulty")
    argv = ["make", "--no-print-directory", "dev", f"DEV_ARGS=--state-dir {state_dir} --port-offset {OFFSET}"]
    running = start(argv, cwd=ROOT, state_dir=state_dir, extra_env=FAULTS)
    yield running
    running.interrupt()


def test_duplicated_shuffled_deliveries_and_relay_crashes_end_as_usual(
    faulty: RunningStack,
) -> None:
    apps = faulty.description.apps
    sku = stocked_sku(apps, ORDERS + 2)
    with ThreadPoolExecutor(max_workers=ORDERS) as pool:
        ids = list(pool.map(lambda _: place(apps, sku, 1).json()["order_id"], range(ORDERS)))
        orders = list(pool.map(lambda order_id: settled(apps, order_id, SHUFFLED_BOUND_S), ids))
    assert [order["status"] for order in orders] == ["CONFIRMED"] * ORDERS
    assert all([s["status"] for s in o["history"]] == ["PENDING", "RESERVED", "CONFIRMED"] for o in orders)
    assert settled_stock(apps, sku, (2, 0)) == (2, 0)
    for order_id in ids:
        assert charge_statuses(order_id) == ["succeeded"], order_id
        notices = sent(apps, order_id, 2)
        assert sorted(notice["kind"] for notice in notices) == ["email", "sns"], order_id
        assert timeline_types(apps, order_id, 4) == [
            "OrderPlaced",
            "StockReserved",
            "PaymentAuthorized",
            "OrderConfirmed",
        ]
    # The faults were on: every consumer says so when it starts, and the relay crashed on the way.
    assert any(TWICE_SHUFFLED in line for line in faulty.lines)
    assert any("published, not removed" in line for line in faulty.lines)


def charge_statuses(order_id: str, key: str = DEFAULT_API_KEY) -> list[str]:
    """The status of every charge the sandbox recorded for the order (asked with `key`)."""
    return [charge["status"] for charge in charges(order_id, key)]


def test_a_charge_refused_for_a_stale_key_waits_in_the_dlq_and_the_redrive_completes_it(
    faulty: RunningStack,
) -> None:
    described = faulty.description
    apps = described.apps
    payments = emulator_client(described, "lambda").get_function_configuration(
        FunctionName=described.functions["payments"].function_name
    )
    secret_id = payments["Environment"]["Variables"]["PAYMENT_PROVIDER_SECRET_ARN"]
    sqs = emulator_client(described, "sqs")
    (dlq,) = [d for d in dead_letter_queues(sqs) if any("payments" in source for source in d.sources)]
    (source,) = dlq.sources
    source_url = sqs.get_queue_url(QueueName=source)["QueueUrl"]
    policy = sqs.get_queue_attributes(QueueUrl=source_url, AttributeNames=["RedrivePolicy"])
    max_receives = int(json.loads(policy["Attributes"]["RedrivePolicy"])["maxReceiveCount"])
    secrets = emulator_client(described, "secretsmanager")
    key = secrets.get_secret_value(SecretId=secret_id)["SecretString"]
    sku = stocked_sku(apps, 2)

    # The provider rotated its key: the one in the secret is refused (401) even when payments reads
    # it again, so payments raises KeyRefused, a fault of ours, not a decline, and never a charge.
    rotated = "sk_test_rotated"
    set_sandbox_keys([rotated])
    try:
        placed = place(apps, sku, 1)
        order_id, correlation_id = placed.json()["order_id"], placed.headers["x-correlation-id"]
        # The relay's crash fault may publish its StockReserved twice (same event id): one message
        # each, all of them refused until they are dead-lettered.
        parked = wait_for(
            lambda: (
                (depth := queue_depth(sqs, dlq.queue.url)) > 0
                and depth == len(refused_receives(faulty.lines, correlation_id))
            )
        )
        traced = [line for line in faulty.lines if correlation_id in line][-8:]
        assert parked, (
            queue_depth(sqs, dlq.queue.url),
            refused_receives(faulty.lines, correlation_id),
            traced,
        )
        # Parked, not ended: the order waits RESERVED with its stock held, and nothing was charged.
        order = httpx.get(f"{apps['orders']}/orders/{order_id}", timeout=10).json()
        assert order["status"] == "RESERVED"
        assert charge_statuses(order_id, rotated) == []
        assert stock_of(apps, sku) == (1, 1)
        # Each message was received maxReceiveCount times and refused each time (handed to payments
        # twice per receive: the stack's delivery fault); the next receive moved it to the DLQ.
        assert max_receives == 5
        receives = refused_receives(faulty.lines, correlation_id)
        expected = [count for count in range(1, max_receives + 1) for _ in range(2)]
        assert receives
        assert all(counts == expected for counts in receives.values()), receives
        assert any(VISIBILITY_VARIABLE in line for line in faulty.lines)

        # The fix: the new key in the secret. Payments caches the key it holds (its TTL) but reads
        # the secret again at once when the provider answers 401, so the redrive sees the fix.
        secrets.put_secret_value(SecretId=secret_id, SecretString=rotated)
        redrive = subprocess.run(
            [sys.executable, "-m", "devtools.cli.dlq", "redrive", dlq.queue.name],
            cwd=ROOT,
            env={k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FOYER_"))}
            | described.aws_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert redrive.returncode == 0, redrive.stdout + redrive.stderr
        assert settled(apps, order_id)["status"] == "CONFIRMED"
        assert charge_statuses(order_id, rotated) == ["succeeded"]
        assert settled_stock(apps, sku, (1, 0)) == (1, 0)
        assert wait_for(lambda: queue_depth(sqs, dlq.queue.url) == 0)
    finally:
        set_sandbox_keys([DEFAULT_API_KEY])
        secrets.put_secret_value(SecretId=secret_id, SecretString=key)


def set_sandbox_keys(keys: list[str]) -> None:
    """Make the sandbox accept only `keys` (a provider's key rotation)."""
    answer = httpx.post(f"{SANDBOX}/_sandbox/keys", json={"keys": keys}, timeout=10)
    assert answer.status_code == 200, answer.text


def refused_receives(lines: list[str], correlation_id: str) -> dict[str, list[int]]:
    """message id -> the receive count of each time payments failed it with KeyRefused, for the
    messages of the request `correlation_id` (read from the stack's JSON log lines)."""
    receives: dict[str, list[int]] = {}
    for line in list(lines):
        if correlation_id in line and "event failed; it will be retried" in line and "KeyRefused" in line:
            failure = json.loads(line.split("|", 1)[1])
            assert failure["event_type"] == "StockReserved", failure
            receives.setdefault(failure["message_id"], []).append(int(failure["receive_count"]))
    return {message_id: sorted(counts) for message_id, counts in receives.items()}


def queue_depth(sqs: Any, queue_url: str) -> int:
    """The queue's visible plus in-flight messages."""
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(value) for value in attributes.values())


def wait_for(condition: Callable[[], bool], bound_s: float = DEADLINE_S) -> bool:
    """Whether `condition` held within `bound_s` (a bound on waiting, not an assertion on speed)."""
    deadline = time.monotonic() + bound_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True
