"""How the web BFF's failures leave: the BFFs' shared table (not found, dependency 503/504) and
identity's (401 with `WWW-Authenticate`)."""

from __future__ import annotations

from bff.shared.problems import PROBLEMS as SHARED
from foyer.identity.problems import PROBLEMS as IDENTITY_PROBLEMS

PROBLEMS = SHARED | IDENTITY_PROBLEMS
