"""`RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers): the calling partner's usage plan, told
on every answer so that a client paces itself instead of learning its limits from 429s.

The plans are Terraform's (`partner_tiers`, in the function's `PARTNER_PLANS`), the same that API
Gateway enforces: a steady rate (a quota per 1-second window) and an optional quota per day, week or
month (its window in seconds; a month is told as 30 days, API Gateway counts calendar months).
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict

HEADER = "RateLimit-Policy"
PERIOD_SECONDS = {"DAY": 86_400, "WEEK": 604_800, "MONTH": 2_592_000}


class Quota(BaseModel):
    model_config = ConfigDict(frozen=True)

    limit: int
    period: Literal["DAY", "WEEK", "MONTH"]
    offset: int = 0


class Plan(BaseModel):
    """One tier as Terraform declares it (`partner_tiers`): requests/s, burst, optional quota."""

    model_config = ConfigDict(frozen=True)

    rate: float
    burst: int
    quota: Quota | None = None


def policy(tier: str, plan: Plan) -> str:
    """The header's value: a structured-field list of one item per limit, named after the tier."""
    # A quota is a whole number of requests: a fractional rate is told as the requests it always allows.
    items = [f'"{tier}";q={max(1, math.floor(plan.rate))};w=1']
    if plan.quota is not None:
        period = plan.quota.period
        items.append(f'"{tier}-{period.lower()}";q={plan.quota.limit};w={PERIOD_SECONDS[period]}')
    return ", ".join(items)
