"""Conditional requests (RFC 9110 section 13): entity tags and the `If-Match` header.

Foyer's entity tags are an item's version: `"3"`. `If-Match` uses the strong comparison, so a weak
tag (`W/"3"`) never matches; it is valid syntax, and a precondition that can only fail (412), not a
malformed header (400).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# `*`, or a comma-separated list of up to 20 (optionally weak) quoted tags of version digits, as the
# OpenAPI publishes it. Surrounding blanks are HTTP's own.
MAX_TAGS = 20
_TAG = r'(W/)?"[0-9]{1,18}"'
IF_MATCH_PATTERN = rf"^[ \t]*(\*|{_TAG}([ \t]*,[ \t]*{_TAG}){{0,{MAX_TAGS - 1}}})[ \t]*$"
_IF_MATCH = re.compile(IF_MATCH_PATTERN)
_TAGS = re.compile(r'(W/)?"([0-9]{1,18})"')


def etag(version: int) -> str:
    """The strong entity tag of `version`."""
    return f'"{version}"'


@dataclass(frozen=True)
class IfMatch:
    """A parsed `If-Match`: `versions` is None for `*` (any current version), else the versions it
    names with strong tags (possibly none, when every tag was weak)."""

    versions: frozenset[int] | None


def parse_if_match(value: str | None) -> IfMatch | None:
    """The precondition an `If-Match` header sets; None when absent. ValueError when malformed."""
    if value is None:
        return None
    if not _IF_MATCH.fullmatch(value):
        raise ValueError(f'If-Match must be "*" or a list of up to {MAX_TAGS} entity tags such as "3"')
    if value.strip() == "*":
        return IfMatch(None)
    return IfMatch(frozenset(int(digits) for weak, digits in _TAGS.findall(value) if not weak))
