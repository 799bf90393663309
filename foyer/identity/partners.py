"""Which partner holds an API key, and under which usage plan.

Terraform creates one key per partner and one usage plan per tier, and outputs the key id -> partner
mapping (`{"<key id>": {"partner_id": ..., "tier": ...}}`), delivered to the partner BFF as
FOYER_PARTNER_KEYS (and, locally, in the stack file). Behind API Gateway that mapping is all a BFF
needs: the gateway already matched the key and applied its plan, and hands over the key's id. Under
uvicorn the key's value arrives instead, so `EmulatorKeys` reads the keys (with their values) and the
usage plans Terraform created in the emulator.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

from foyer.identity.plans import Period, UsagePlan
from foyer.identity.principals import Partner

if TYPE_CHECKING:
    from mypy_boto3_apigateway import APIGatewayClient


@dataclass(frozen=True)
class PartnerKey:
    """An enabled API key, the partner it belongs to and the plan it is under (None: no plan)."""

    partner: Partner
    plan: UsagePlan | None


class KeyLookup(Protocol):
    """Finds the enabled key whose value a caller sent (`EmulatorKeys`; a test's own)."""

    def lookup(self, value: str) -> PartnerKey | None: ...


def partners_by_key_id(mapping: Mapping[str, Mapping[str, str]]) -> dict[str, Partner]:
    """The partners of a key id -> {partner_id, tier} mapping, as Terraform outputs it."""
    return {
        key_id: Partner(partner_id=entry["partner_id"], tier=entry["tier"], api_key_id=key_id)
        for key_id, entry in mapping.items()
    }


def plan_from_api(plan: Mapping[str, Any]) -> UsagePlan:
    """A usage plan as API Gateway's GetUsagePlans describes it (no throttle set: none, as in AWS)."""
    throttle = plan.get("throttle") or {}
    quota = plan.get("quota") or {}
    rate = throttle.get("rateLimit")
    return UsagePlan(
        name=str(plan.get("name") or plan.get("id")),
        rate=float(rate) if rate else None,
        burst=int(throttle.get("burstLimit") or 0),
        quota=int(quota["limit"]) if "limit" in quota else None,
        period=cast(Period, quota.get("period", "DAY")),
        offset=int(quota.get("offset") or 0),
    )


class EmulatorKeys:
    """API keys and usage plans read from the API Gateway that Terraform applied to (the emulator).

    Read on first use and again when an unknown key arrives, at most every `min_refresh_s`: a key
    Terraform adds while the stack runs is found, and a stream of made-up keys costs no more reads.
    """

    def __init__(
        self,
        client: Callable[[], APIGatewayClient],
        partners: Mapping[str, Partner],
        *,
        min_refresh_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._partners = dict(partners)
        self._min_refresh_s = min_refresh_s
        self._clock = clock
        self._by_value: dict[str, PartnerKey] = {}
        self._loaded_at: float | None = None
        self._lock = threading.Lock()

    def lookup(self, value: str) -> PartnerKey | None:
        """The enabled key whose value is `value`, or None."""
        with self._lock:
            now = self._clock()
            found = self._by_value.get(value)
            if found is None and (self._loaded_at is None or now - self._loaded_at >= self._min_refresh_s):
                self._by_value = self._load()
                self._loaded_at = now
                found = self._by_value.get(value)
            return found

    def _load(self) -> dict[str, PartnerKey]:
        api = self._client()
        plans: dict[str, UsagePlan] = {}
        for plan in _all(api, "get_usage_plans"):
            usage_plan = plan_from_api(plan)
            for key in _all(api, "get_usage_plan_keys", usagePlanId=plan["id"]):
                plans[key["id"]] = usage_plan
        found: dict[str, PartnerKey] = {}
        for key in _all(api, "get_api_keys", includeValues=True):
            partner = self._partners.get(key["id"])
            if partner is None or not key.get("enabled", False) or "value" not in key:
                continue  # a key no partner holds, or one switched off, admits nobody
            found[key["value"]] = PartnerKey(partner=partner, plan=plans.get(key["id"]))
        return found


def _all(api: Any, operation: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paged API Gateway list operation."""
    items: list[dict[str, Any]] = []
    position: str | None = None
    while True:
        page = getattr(api, operation)(**params, **({"position": position} if position else {}), limit=500)
        items.extend(page.get("items", []))
        position = page.get("position")
        if not position:
            return items
