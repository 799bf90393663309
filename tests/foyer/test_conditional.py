"""foyer.conditional: `If-Match` under RFC 9110's strong comparison; the published pattern is the parser."""

from __future__ import annotations

import re

import pytest

from foyer.conditional import IF_MATCH_PATTERN, IfMatch, etag, parse_if_match


@pytest.mark.parametrize(
    ("header", "parsed"),
    [
        (None, None),
        ("*", IfMatch(None)),
        (' "7" ', IfMatch(frozenset({7}))),
        ('"3"', IfMatch(frozenset({3}))),
        ('"3", "5"', IfMatch(frozenset({3, 5}))),
        ('W/"3"', IfMatch(frozenset())),  # a weak tag never matches strongly: a 412, not a 400
        ('W/"3","4"', IfMatch(frozenset({4}))),
    ],
)
def test_if_match_names_versions_with_strong_tags(header: str | None, parsed: IfMatch | None) -> None:
    assert parse_if_match(header) == parsed


@pytest.mark.parametrize(
    "header",
    ["", "3", "W/3", "abc", '"1",', '"', '"٣"', '"' + "9" * 19 + '"', '"*"', ", ".join(['"1"'] * 21)],
)
def test_an_if_match_that_is_no_list_of_entity_tags_is_refused(header: str) -> None:
    with pytest.raises(ValueError, match="If-Match"):
        parse_if_match(header)


def test_etag_round_trips_through_if_match() -> None:
    assert parse_if_match(etag(42)) == IfMatch(frozenset({42}))


@pytest.mark.parametrize(
    "header", ['"3"', 'W/"3"', "3", "*", ' "3" ', '"3', "yesterday", '"*"', '"1" , W/"2"', '"1"' * 2]
)
def test_the_published_pattern_is_what_the_parser_accepts(header: str) -> None:
    try:
        parse_if_match(header)
        parsed = True
    except ValueError:
        parsed = False
    assert bool(re.fullmatch(IF_MATCH_PATTERN, header)) is parsed
