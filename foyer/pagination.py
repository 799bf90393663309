"""Opaque cursors for paginated lists: DynamoDB's LastEvaluatedKey, url-safe base64 JSON.

A cursor comes back from the client, so it is validated as fully as DynamoDB would validate the
key it stands for: a forged one must be a 400 here, not a ValidationException (a 500) in AWS. The
emulator accepts an empty key string that DynamoDB refuses, so only this check stands between a
forged cursor and a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from foyer.errors import BadRequest
from foyer.problems import TYPE_PREFIX

# DynamoDB key attributes: strings of 1 to 1,024 bytes (a sort key's limit; a partition key may
# hold 2,048), numbers of at most 38 significant digits.
MAX_KEY_BYTES = 1024
MAX_KEY_NUMBER = 10**38 - 1
# Room for a few keys of the maximum size after base64 (4/3) and JSON quoting.
MAX_CURSOR_CHARS = 8 * 1024


class InvalidCursor(BadRequest):
    """A cursor this API did not issue, or issued for another listing (400): a problem of the caller's,
    typed so that a BFF relays it to the client who sent the cursor (bff.shared.relay)."""

    type = TYPE_PREFIX + "invalid-cursor"

    def __init__(self, detail: str = "The cursor is not one this API issued.") -> None:
        super().__init__(detail, title="Invalid cursor")


def encode(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    raw = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _valid_value(value: Any) -> bool:
    if isinstance(value, str):
        try:
            size = len(value.encode())
        except UnicodeEncodeError:  # a lone surrogate: JSON can carry it, DynamoDB cannot
            return False
        return 0 < size <= MAX_KEY_BYTES
    if isinstance(value, int) and not isinstance(value, bool):
        return -MAX_KEY_NUMBER <= value <= MAX_KEY_NUMBER
    return False


def decode(cursor: str | None, *, allowed_keys: frozenset[str]) -> dict[str, Any] | None:
    """The key a cursor stands for: at least one of `allowed_keys`, each a valid DynamoDB key value.

    None for no cursor; InvalidCursor (400) for anything we did not issue.
    """
    if not cursor:
        return None
    if len(cursor) > MAX_CURSOR_CHARS:
        raise InvalidCursor
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InvalidCursor from exc
    valid = (
        isinstance(key, dict)
        and key
        and set(key) <= allowed_keys
        and all(_valid_value(v) for v in key.values())
    )
    if not valid:
        raise InvalidCursor
    return dict(key)
