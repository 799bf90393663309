"""How the partner API's failures leave: the BFFs' shared table (not found, 503/504) and the
Idempotency-Key rules (422 reused, 409 in flight), and identity's (403 no key, 429 over the plan)."""

from __future__ import annotations

from bff.shared.problems import PROBLEMS as SHARED
from foyer.idempotency.http import PROBLEMS as IDEMPOTENCY_PROBLEMS
from foyer.identity.problems import PROBLEMS as IDENTITY_PROBLEMS

PROBLEMS = SHARED | IDEMPOTENCY_PROBLEMS | IDENTITY_PROBLEMS
