"""Which partner holds an API key, and under which usage plan.

Keys are issued outside Terraform (devtools.cli.partner_keys), so that no key's value enters a state
file or a plan: the issuing command creates the key in API Gateway (tagged with its partner and tier),
attaches it to its tier's usage plan (Terraform keeps the plans) and records the key's id in the
partner BFF's own table as `api-key#<id>` -> {partner_id, tier}. Behind API Gateway that record is all
a BFF needs: the gateway already matched the key and applied its plan, and hands over the key's id,
which `KeyDirectory` maps to its partner. Under uvicorn the key's value arrives instead, so
`EmulatorKeys` plays the gateway's part first (the keys with their values and the usage plans in the
emulator), then the BFF maps the key's id with the same directory.

Revocation is bounded: `EmulatorKeys` reads the keys again once its last read is `max_age_s` old, so a
key disabled or deleted in the emulator is refused within that time by both local modes.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

from foyer.identity.exceptions import IdentityUnavailable
from foyer.identity.plans import Period, UsagePlan
from foyer.identity.principals import Partner

if TYPE_CHECKING:
    from mypy_boto3_apigateway import APIGatewayClient

    from foyer.dynamodb import Table

# How long a key disabled or deleted in the emulator keeps working locally, at most, and how long a key
# just issued may be refused locally before it is found (docs/partners.md).
REVOCATION_BOUND_S = 5.0
NEW_KEY_BOUND_S = 1.0
PARTNER_TAG = "partner"  # the tags the issuing command puts on a key: its partner and tier
TIER_TAG = "tier"
RECORD_PREFIX = "api-key#"  # `pk` of a key's record in the partner BFF's table


def key_record_pk(key_id: str) -> str:
    """The partner BFF table's `pk` of the record naming the partner of API key `key_id`."""
    return f"{RECORD_PREFIX}{key_id}"


@dataclass(frozen=True)
class PartnerKey:
    """An enabled API key, the partner it belongs to and the plan it is under (None: no plan)."""

    partner: Partner
    plan: UsagePlan | None


class KeyLookup(Protocol):
    """Finds the enabled key whose value a caller sent (`EmulatorKeys`; a test's own)."""

    def lookup(self, value: str) -> PartnerKey | None: ...


class PartnerLookup(Protocol):
    """The partner holding an API key id, or None (`KeyDirectory`; a test's dict)."""

    def get(self, key_id: str, /) -> Partner | None: ...


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


class KeyDirectory:
    """The partner of an API key id, from the key's record in the partner BFF's table.

    A key's partner never changes (a new tier or a rotation is a new key), so a found record is kept
    for `ttl_s`; a missing one for `miss_ttl_s`, so a stream of unknown ids costs one read each per
    interval. At most `max_entries` ids are kept (least recently used go first).
    """

    def __init__(
        self,
        table: Callable[[], Table],
        *,
        ttl_s: float = 300.0,
        miss_ttl_s: float = 5.0,
        max_entries: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._table = table
        self._ttl_s = ttl_s
        self._miss_ttl_s = miss_ttl_s
        self._max_entries = max_entries
        self._clock = clock
        self._cache: OrderedDict[str, tuple[float, Partner | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key_id: str, /) -> Partner | None:
        """The partner holding `key_id`, or None; IdentityUnavailable when the table cannot be read."""
        now = self._clock()
        with self._lock:
            cached = self._cache.get(key_id)
            if cached is not None and cached[0] > now:
                self._cache.move_to_end(key_id)
                return cached[1]
        partner = self._read(key_id)
        with self._lock:
            self._cache[key_id] = (now + (self._ttl_s if partner else self._miss_ttl_s), partner)
            self._cache.move_to_end(key_id)
            while len(self._cache) > self._max_entries:
                self._cache.popitem(last=False)
        return partner

    def _read(self, key_id: str) -> Partner | None:
        from foyer import aws

        try:
            item = self._table().get({"pk": key_record_pk(key_id)})
        except aws.errors():
            raise IdentityUnavailable("The partner directory cannot be read; retry shortly.") from None
        if item is None or not item.get("partner_id") or not item.get("tier"):
            return None
        return Partner(partner_id=str(item["partner_id"]), tier=str(item["tier"]), api_key_id=key_id)


class EmulatorKeys:
    """API keys and usage plans as API Gateway holds them, read from the emulator (the local stand-in
    for the gateway's own key check).

    Everything is read again on the first lookup after the last read is `max_age_s` old (a key
    disabled, deleted or moved to another plan counts from then), and for an unknown key at most
    every `min_refresh_s` (a key issued while the stack runs is found; made-up keys cost little).
    A key counts when it is enabled, tagged with its partner and tier, and under a usage plan.
    """

    def __init__(
        self,
        client: Callable[[], APIGatewayClient],
        *,
        max_age_s: float = REVOCATION_BOUND_S,
        min_refresh_s: float = NEW_KEY_BOUND_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._max_age_s = max_age_s
        self._min_refresh_s = min_refresh_s
        self._clock = clock
        self._by_value: dict[str, PartnerKey] = {}
        self._loaded_at: float | None = None
        self._lock = threading.Lock()

    def lookup(self, value: str) -> PartnerKey | None:
        """The enabled key whose value is `value`, or None."""
        with self._lock:
            now = self._clock()
            age = None if self._loaded_at is None else now - self._loaded_at
            found = self._by_value.get(value)
            stale = age is None or age >= self._max_age_s
            if stale or (found is None and age is not None and age >= self._min_refresh_s):
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
            tags = key.get("tags") or {}
            partner_id, tier = tags.get(PARTNER_TAG), tags.get(TIER_TAG)
            if not (key.get("enabled") and partner_id and tier and "value" in key and key["id"] in plans):
                continue  # switched off, no partner's, or under no plan: API Gateway admits none of these
            partner = Partner(partner_id=partner_id, tier=tier, api_key_id=key["id"])
            found[key["value"]] = PartnerKey(partner=partner, plan=plans[key["id"]])
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
