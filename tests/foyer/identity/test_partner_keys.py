"""EmulatorKeys against the emulator: keys and usage plans created as the issuing command creates them
are found by value, with their partner and plan; disabled keys, keys of no partner, keys under no plan
and made-up values are not; made-up keys cause a read at most once per refresh interval; a key
disabled or deleted in the emulator is refused within the revocation bound. KeyDirectory maps a key id
to the partner its record in the partner BFF's table names."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from devtools.devstack.stack import LocalStack
from foyer.dynamodb import Table
from foyer.identity.partners import (
    REVOCATION_BOUND_S,
    EmulatorKeys,
    KeyDirectory,
    key_record_pk,
    plan_from_api,
)
from foyer.identity.plans import UsagePlan

pytestmark = pytest.mark.integration


class CountingClient:
    """The emulator's API Gateway client, counting the reads EmulatorKeys makes."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.reads = 0

    def __getattr__(self, name: str) -> Any:
        operation = getattr(self.client, name)

        def call(**params: Any) -> Any:
            self.reads += 1
            return operation(**params)

        return call


@pytest.fixture
def gateway(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("apigateway")


def _api_with_plan(gateway: Any, *, rate: float, burst: int, quota: int | None) -> tuple[str, str]:
    """A REST API deployed to a stage, and a usage plan on that stage; returns (plan id, plan name)."""
    name = f"t-{uuid.uuid4().hex[:8]}"
    api = gateway.create_rest_api(name=name)["id"]
    root = gateway.get_resources(restApiId=api)["items"][0]["id"]
    gateway.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    gateway.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    gateway.create_deployment(restApiId=api, stageName="local")
    plan = gateway.create_usage_plan(
        name=f"{name}-bronze",
        apiStages=[{"apiId": api, "stage": "local"}],
        throttle={"rateLimit": rate, "burstLimit": burst},
        **({"quota": {"limit": quota, "period": "DAY", "offset": 10}} if quota is not None else {}),
    )
    return plan["id"], plan["name"]


def _key(
    gateway: Any, plan_id: str | None, *, enabled: bool = True, partner: str | None = "acme"
) -> tuple[str, str]:
    tags = {"partner": partner, "tier": "bronze"} if partner else {}
    key = gateway.create_api_key(name=f"k-{uuid.uuid4().hex[:8]}", enabled=enabled, tags=tags)
    if plan_id is not None:
        gateway.create_usage_plan_key(usagePlanId=plan_id, keyId=key["id"], keyType="API_KEY")
    return key["id"], key["value"]


def test_a_partner_key_is_found_with_its_plan_and_others_are_not(gateway: Any) -> None:
    plan_id, plan_name = _api_with_plan(gateway, rate=2, burst=5, quota=1000)
    acme_id, acme_value = _key(gateway, plan_id)
    _, off_value = _key(gateway, plan_id, enabled=False)
    _, stray_value = _key(gateway, plan_id, partner=None)  # a key no partner holds
    _, planless_value = _key(gateway, None)  # under no usage plan: API Gateway refuses it
    keys = EmulatorKeys(lambda: gateway)

    found = keys.lookup(acme_value)
    assert found is not None
    assert (found.partner.partner_id, found.partner.tier, found.partner.api_key_id) == (
        "acme",
        "bronze",
        acme_id,
    )
    assert found.plan == UsagePlan(plan_name, rate=2.0, burst=5, quota=1000, period="DAY", offset=10)
    assert keys.lookup(off_value) is None
    assert keys.lookup(stray_value) is None
    assert keys.lookup(planless_value) is None
    assert keys.lookup("made-up") is None


def test_made_up_keys_cause_a_read_at_most_once_per_interval(gateway: Any) -> None:
    plan_id, _ = _api_with_plan(gateway, rate=1, burst=1, quota=None)
    _, value = _key(gateway, plan_id)
    clock = [0.0]
    counting = CountingClient(gateway)
    keys = EmulatorKeys(lambda: counting, max_age_s=60, min_refresh_s=5, clock=lambda: clock[0])
    assert keys.lookup(value) is not None
    first_load = counting.reads
    for attempt in range(20):
        assert keys.lookup(f"made-up-{attempt}") is None
    assert keys.lookup(value) is not None
    assert counting.reads == first_load  # within the interval: nothing read again
    clock[0] = 6.0
    assert keys.lookup("made-up-again") is None
    assert counting.reads == 2 * first_load  # after it: one more load, for a key that may be new


def test_a_plans_quota_offset_is_read() -> None:
    plan = {"id": "p1", "name": "late", "quota": {"limit": 100, "offset": 40, "period": "MONTH"}}
    assert plan_from_api(plan) == UsagePlan("late", rate=None, quota=100, period="MONTH", offset=40)


def test_a_plan_without_throttle_or_quota_limits_nothing() -> None:
    assert plan_from_api({"id": "p1", "name": "open"}) == UsagePlan("open", rate=None, burst=0, quota=None)


def _disable(gateway: Any, key_id: str) -> None:
    gateway.update_api_key(
        apiKey=key_id, patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}]
    )


def _delete(gateway: Any, key_id: str) -> None:
    gateway.delete_api_key(apiKey=key_id)


@pytest.mark.parametrize("revoke", [_disable, _delete], ids=["disabled", "deleted"])
def test_a_revoked_key_is_refused_within_the_revocation_bound(
    gateway: Any, revoke: Callable[[Any, str], None]
) -> None:
    plan_id, _ = _api_with_plan(gateway, rate=100, burst=100, quota=None)
    key_id, value = _key(gateway, plan_id)
    clock = [0.0]
    keys = EmulatorKeys(lambda: gateway, clock=lambda: clock[0])
    assert keys.lookup(value) is not None
    revoke(gateway, key_id)
    clock[0] = REVOCATION_BOUND_S - 0.5
    assert keys.lookup(value) is not None  # read within the bound: the key is still believed
    clock[0] = REVOCATION_BOUND_S
    assert keys.lookup(value) is None  # at the bound, whatever else was asked meanwhile


def test_the_directory_maps_a_key_id_to_its_records_partner(stack: LocalStack) -> None:
    table = Table(stack.tables["partner"])
    key_id = f"k{uuid.uuid4().hex[:9]}"
    table.put({"pk": key_record_pk(key_id), "partner_id": "acme", "tier": "gold"})
    clock = [0.0]
    directory = KeyDirectory(lambda: table, ttl_s=300, miss_ttl_s=5, clock=lambda: clock[0])
    found = directory.get(key_id)
    assert found is not None
    assert (found.partner_id, found.tier, found.api_key_id) == ("acme", "gold", key_id)
    assert directory.get("k-nobody") is None
    table.put({"pk": key_record_pk("k-nobody"), "partner_id": "late", "tier": "gold"})
    assert directory.get("k-nobody") is None  # a miss is remembered for miss_ttl_s
    clock[0] = 5.0
    assert directory.get("k-nobody") is not None
