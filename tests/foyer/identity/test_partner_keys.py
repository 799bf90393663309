"""EmulatorKeys against the emulator: keys and usage plans created as Terraform creates them are found
by value, mapped to their partner and plan; disabled keys, keys of no partner and made-up values are not;
made-up keys cause a read at most once per refresh interval."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from foyer.identity.partners import EmulatorKeys, partners_by_key_id, plan_from_api
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


def _key(gateway: Any, plan_id: str | None, *, enabled: bool = True) -> tuple[str, str]:
    key = gateway.create_api_key(name=f"k-{uuid.uuid4().hex[:8]}", enabled=enabled)
    if plan_id is not None:
        gateway.create_usage_plan_key(usagePlanId=plan_id, keyId=key["id"], keyType="API_KEY")
    return key["id"], key["value"]


def test_a_partner_key_is_found_with_its_plan_and_others_are_not(gateway: Any) -> None:
    plan_id, plan_name = _api_with_plan(gateway, rate=2, burst=5, quota=1000)
    acme_id, acme_value = _key(gateway, plan_id)
    off_id, off_value = _key(gateway, plan_id, enabled=False)
    _, stray_value = _key(gateway, plan_id)  # a key no partner holds
    mapping = {
        acme_id: {"partner_id": "acme", "tier": "bronze"},
        off_id: {"partner_id": "off", "tier": "bronze"},
    }
    keys = EmulatorKeys(lambda: gateway, partners_by_key_id(mapping))

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
    assert keys.lookup("made-up") is None


def test_made_up_keys_cause_a_read_at_most_once_per_interval(gateway: Any) -> None:
    plan_id, _ = _api_with_plan(gateway, rate=1, burst=1, quota=None)
    key_id, value = _key(gateway, plan_id)
    clock = [0.0]
    counting = CountingClient(gateway)
    partners = partners_by_key_id({key_id: {"partner_id": "acme", "tier": "bronze"}})
    keys = EmulatorKeys(lambda: counting, partners, min_refresh_s=5, clock=lambda: clock[0])
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
