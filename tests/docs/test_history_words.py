"""The product describes what is true and why; how it got there belongs in git and CHANGELOG.md.

Each pattern below names a way prose narrates its own history. A line that matches fails the check,
named with its file and line, so the fix is to say what holds today and why (the CHANGELOG says what
changed).
"""

from __future__ import annotations

import re

import pytest

from tests.docs.product_text import Line, every_prose_line

HISTORY = {
    "a stop of the build": r"\bat stop\b|\bstop \d+",
    "an issue by number": r"\bissues? #?\d+",
    "a finding by number": r"\bfindings? #?\d+",
    "since a version, a stop or a fix": (
        r"\bsince (?:stop|issue|finding|v?\d|version|then|the (?:fix|move|change|rewrite|refactor))\b"
    ),
    "what it used to do": r"\bused to\b",
    "before or after a fix": r"\b(?:before|after) the (?:fix|change|move|rewrite)\b",
    "what it is now": r"\b(?:is|are) now\b|\bnow that\b",
    "a change of figures": r"\bwent from\b",
    "earlier states": r"\b(?:previously|formerly|originally|anymore)\b",
    "who ran it": r"\bthe helper'?s\b|\bhelpers?'? runs?\b|\bwho ran\b",
    "a dated run": r"\b(?:19|20)\d\d-[01]\d-[0-3]\d\b",
    "a branch of the build": r"\bbranch `",
}
PATTERNS = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in HISTORY.items()}


def history_in(lines: list[Line]) -> list[str]:
    return [f"{line}  <- {name}" for line in lines for name, p in PATTERNS.items() if p.search(line.text)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("the relay, measured at stop 14, is fast", "a stop of the build"),
        ("Decisions taken while building (issue #9)", "an issue by number"),
        ("closes finding 3", "a finding by number"),
        ("faster since v0.2", "since a version, a stop or a fix"),
        ("the handler used to fail every batch", "what it used to do"),
        ("before the fix, the loop blocked", "before or after a fix"),
        ("it is now answered compact", "what it is now"),
        ("init went from 1.5x to 1.0x", "a change of figures"),
        ("previously a parser did this", "earlier states"),
        ("the helper's two runs", "who ran it"),
        ("measured 2026-11-30 on the CI box", "a dated run"),
        ("Partner contract (branch `partner`)", "a branch of the build"),
    ],
)
def test_each_pattern_catches_what_it_names(text: str, name: str) -> None:
    assert PATTERNS[name].search(text)


@pytest.mark.parametrize(
    "text",
    [
        "a reservation no longer reserved is released once",
        "replenished since it was read",
        "the key that signs tokens",
        "now() plus the grace period",
    ],
)
def test_domain_prose_is_not_taken_for_history(text: str) -> None:
    assert not [name for name, p in PATTERNS.items() if p.search(text)]


def test_no_product_text_narrates_its_history() -> None:
    found = history_in(list(every_prose_line()))
    assert not found, "say what is true and why (history goes in CHANGELOG.md):\n" + "\n".join(found)
