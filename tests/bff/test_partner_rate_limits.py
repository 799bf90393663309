"""A partner is told its usage plan on every answer (`RateLimit-Policy`, draft-ietf-httpapi-ratelimit-
headers), from the plans Terraform gives the partner function (tests/terraform/test_local_apply.py
reads them back from the applied function)."""

from __future__ import annotations

import pytest

from bff.partner import deps as partner_deps
from bff.partner.app import app as partner_app
from bff.partner.rate_limits import Plan, Quota, policy
from bff.partner.settings import PartnerSettings
from tests.bff.conftest import PARTNER_HEADER, Wiring


@pytest.mark.parametrize(
    ("plan", "told"),
    [
        (
            Plan(rate=50, burst=100, quota=Quota(limit=1_000_000, period="MONTH")),
            '"gold";q=50;w=1, "gold-month";q=1000000;w=2592000',
        ),
        (
            Plan(rate=5, burst=10, quota=Quota(limit=10_000, period="DAY")),
            '"gold";q=5;w=1, "gold-day";q=10000;w=86400',
        ),
        (Plan(rate=2.5, burst=5), '"gold";q=2;w=1'),
        (Plan(rate=0.5, burst=1), '"gold";q=1;w=1'),
    ],
)
def test_a_plan_is_told_as_one_item_per_limit(plan: Plan, told: str) -> None:
    assert policy("gold", plan) == told


def test_the_plans_come_as_terraform_writes_them() -> None:
    settings = PartnerSettings(
        table_name="t",
        plans='{"bronze": {"rate": 2, "burst": 5, "quota": {"limit": 1000, "period": "DAY", "offset": 0}},'
        ' "free": {"rate": 1, "burst": 1, "quota": null}}',
    )
    assert settings.plans["bronze"].quota == Quota(limit=1000, period="DAY")
    assert settings.plans["free"].quota is None


def test_every_partner_answer_tells_the_callers_plan(bffs: Wiring) -> None:
    wired = partner_app.dependency_overrides[partner_deps.get_settings]()
    plans = {"test": Plan(rate=5, burst=10, quota=Quota(limit=10_000, period="DAY"))}
    partner_app.dependency_overrides[partner_deps.get_settings] = lambda: wired.model_copy(
        update={"plans": plans}
    )
    answer = bffs.clients["partner"].get("/v1/products?limit=1", headers={PARTNER_HEADER: "p-plan"})
    assert answer.status_code == 200
    assert answer.headers["RateLimit-Policy"] == '"test";q=5;w=1, "test-day";q=10000;w=86400'


def test_a_tier_without_a_plan_is_told_nothing(bffs: Wiring) -> None:
    answer = bffs.clients["partner"].get("/v1/products?limit=1", headers={PARTNER_HEADER: "p-plan"})
    assert answer.status_code == 200
    assert "RateLimit-Policy" not in answer.headers
