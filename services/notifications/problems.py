"""How notifications' failures leave over HTTP: its one route raises none of its own (an order nothing
was sent for answers an empty list), so the table is empty; create_app still maps validation and
unexpected errors to problems."""

from __future__ import annotations

from foyer.problems import ProblemTable

PROBLEMS = ProblemTable({})
