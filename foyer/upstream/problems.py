"""How a dependency's failure leaves a BFF: 503 (failed, unreachable, breaker open), 504 (no answer
within the budget) or 502 (it refused the request the BFF built), problem+json naming the dependency,
never its URL nor the fields of its own API."""

from __future__ import annotations

from foyer.problems import ProblemTable, ProblemType
from foyer.upstream.exceptions import UpstreamRefused, UpstreamTimeout, UpstreamUnavailable

PROBLEMS = ProblemTable(
    {
        UpstreamUnavailable: ProblemType[UpstreamUnavailable](
            "dependency-unavailable",
            503,
            "Dependency unavailable",
            detail=lambda e: f"The {e.dependency} service is unavailable; retry later.",
            members=lambda e: {"dependency": e.dependency},
            headers=lambda e: {"Retry-After": str(e.retry_after_s)},
            header_names=("Retry-After",),
        ),
        UpstreamRefused: ProblemType[UpstreamRefused](
            "dependency-refused",
            502,
            "Dependency refused the request",
            detail=lambda e: (
                f"The {e.dependency} service could not take the request made on your behalf; this is "
                "our fault. Quote the correlation id when reporting it."
            ),
            members=lambda e: {"dependency": e.dependency},
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
