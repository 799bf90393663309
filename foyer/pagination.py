"""Opaque cursors for paginated lists: DynamoDB's LastEvaluatedKey, url-safe base64 JSON."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from foyer.errors import BadRequest


def encode(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    raw = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None, *, allowed_keys: frozenset[str]) -> dict[str, Any] | None:
    """The key a cursor stands for; 400 for anything we did not issue."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("The cursor is not one this API issued.") from exc
    valid = (
        isinstance(key, dict)
        and set(key) <= allowed_keys
        and all(isinstance(v, str | int) and not isinstance(v, bool) for v in key.values())
    )
    if not valid:
        raise BadRequest("The cursor is not one this API issued.")
    return dict(key)
