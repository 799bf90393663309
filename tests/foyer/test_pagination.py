"""foyer.pagination: cursors round-trip DynamoDB keys; anything we did not issue is a 400."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foyer import pagination
from foyer.errors import BadRequest

KEYS = frozenset({"pk", "sk"})


@pytest.mark.parametrize("empty", [None, {}])
def test_no_last_key_means_no_cursor(empty: dict[str, Any] | None) -> None:
    assert pagination.encode(empty) is None


@pytest.mark.parametrize("empty", [None, ""])
def test_no_cursor_means_the_first_page(empty: str | None) -> None:
    assert pagination.decode(empty, allowed_keys=KEYS) is None


def test_a_cursor_is_url_safe_without_padding() -> None:
    cursor = pagination.encode({"pk": "PRODUCT#?/+", "sk": "~~~~"})
    assert cursor is not None
    assert "=" not in cursor
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_the_cursor_is_stable_whatever_the_key_order() -> None:
    assert pagination.encode({"pk": "a", "sk": 1}) == pagination.encode({"sk": 1, "pk": "a"})


values = st.one_of(st.text(min_size=1, max_size=50), st.integers(min_value=-(2**53), max_value=2**53))


@given(st.dictionaries(st.sampled_from(sorted(KEYS)), values, min_size=1))
def test_round_trip(key: dict[str, Any]) -> None:
    assert pagination.decode(pagination.encode(key), allowed_keys=KEYS) == key


def _cursor(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!not-base64!!!",
        "a",
        _cursor(b"not json"),
        _cursor(b"\xff\xfe"),
        _cursor(json.dumps([1, 2]).encode()),
        _cursor(json.dumps({"pk": "a", "admin": "1"}).encode()),
        _cursor(json.dumps({"pk": {"S": "nested"}}).encode()),
        _cursor(json.dumps({"pk": True}).encode()),
        _cursor(json.dumps({"pk": 1.5}).encode()),
        _cursor(json.dumps({"pk": None}).encode()),
        # DynamoDB refuses these key values (a 500 in AWS); the emulator accepts the empty string.
        _cursor(json.dumps({"pk": ""}).encode()),
        _cursor(json.dumps({"pk": "a", "sk": ""}).encode()),
        _cursor(json.dumps({"pk": "x" * 1025}).encode()),
        _cursor(json.dumps({"pk": "\u00e9" * 513}).encode()),  # 513 characters, 1,026 bytes
        _cursor(b'{"pk": "\\ud800"}'),  # a lone surrogate is not UTF-8
        _cursor(json.dumps({"pk": 10**38}).encode()),
        _cursor(json.dumps({}).encode()),
        _cursor(b"[" * 5000),
        "A" * (pagination.MAX_CURSOR_CHARS + 4),
    ],
)
def test_a_cursor_we_did_not_issue_is_a_400(cursor: str) -> None:
    with pytest.raises(BadRequest) as caught:
        pagination.decode(cursor, allowed_keys=KEYS)
    assert caught.value.status == 400


@given(st.text(max_size=80))
def test_any_string_decodes_or_is_a_bad_request(cursor: str) -> None:
    try:
        key = pagination.decode(cursor, allowed_keys=KEYS)
    except BadRequest:
        return
    assert key is None or set(key) <= KEYS


def test_key_values_at_dynamodbs_limits_pass() -> None:
    key = {"pk": "x" * pagination.MAX_KEY_BYTES, "sk": pagination.MAX_KEY_NUMBER}
    assert pagination.decode(pagination.encode(key), allowed_keys=KEYS) == key
