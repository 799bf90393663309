"""How the mobile BFF's failures leave: the BFFs' shared table, identity's
(401), and 426 for an app too old."""

from __future__ import annotations

from bff.mobile.versions import AppTooOld
from bff.shared.problems import PROBLEMS as SHARED
from foyer.identity.problems import PROBLEMS as IDENTITY_PROBLEMS
from foyer.problems import ProblemTable, ProblemType

PROBLEMS = (
    ProblemTable(
        {
            AppTooOld: ProblemType[AppTooOld](
                "app-too-old",
                426,
                "Update the app",
                detail=lambda e: (
                    f"This app ({e.version}) is too old; version {e.minimum} or newer is needed."
                ),
                members=lambda e: {"minimum_version": e.minimum, "version": e.version},
            ),
        }
    )
    | SHARED
    | IDENTITY_PROBLEMS
)
