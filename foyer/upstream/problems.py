"""How a dependency's failure leaves a BFF: 503 (failed, unreachable, breaker open) or 504 (no
answer within the budget), problem+json naming the dependency, never its URL."""

from __future__ import annotations

from foyer.problems import ProblemTable, ProblemType
from foyer.upstream.exceptions import UpstreamTimeout, UpstreamUnavailable

PROBLEMS = ProblemTable(
    {
        UpstreamUnavailable: ProblemType[UpstreamUnavailable](
            "dependency-unavailable",
            503,
            "Dependency unavailable",
            detail=lambda e: f"The {e.dependency} service is unavailable; retry later.",
            members=lambda e: {"dependency": e.dependency},
            headers=lambda e: {"Retry-After": str(e.retry_after_s)},
        ),
        UpstreamTimeout: ProblemType[UpstreamTimeout](
            "dependency-timeout",
            504,
            "Dependency timed out",
            detail=lambda e: f"The {e.dependency} service did not answer in time; retry later.",
            members=lambda e: {"dependency": e.dependency},
        ),
    }
)
