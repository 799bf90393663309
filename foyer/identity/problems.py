"""Identity failures as RFC 9457 problems: a BFF adds `PROBLEMS` to its own table (`table | PROBLEMS`)."""

from __future__ import annotations

from foyer.identity.exceptions import ApiKeyRefused, IdentityUnavailable, OverUsagePlan, Unauthenticated
from foyer.problems import ProblemTable, ProblemType

PROBLEMS = ProblemTable(
    {
        Unauthenticated: ProblemType[Unauthenticated](
            "unauthenticated",
            401,
            "Unauthorized",
            detail=lambda exc: exc.detail,
            headers=lambda exc: {"WWW-Authenticate": exc.challenge},
            header_names=("WWW-Authenticate",),
        ),
        ApiKeyRefused: ProblemType[ApiKeyRefused]("api-key-refused", 403, "Forbidden"),
        OverUsagePlan: ProblemType[OverUsagePlan](
            "over-usage-plan",
            429,
            "Too Many Requests",
            members=lambda exc: {"limit": exc.limit, "retry_after_s": exc.retry_after_s},
            headers=lambda exc: {"Retry-After": str(exc.retry_after_s)},
            header_names=("Retry-After",),
        ),
        IdentityUnavailable: ProblemType[IdentityUnavailable](
            "identity-unavailable",
            503,
            "Service Unavailable",
            headers=lambda exc: {"Retry-After": str(exc.retry_after_s)},
            header_names=("Retry-After",),
        ),
    }
)
