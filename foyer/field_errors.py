"""Validation errors as a client can use them: locations that name fields, a bounded list, no internals.

pydantic reports where it was inside its own validators, not only where the input was wrong: a union
adds the tag of each branch to the location (`Money`, `constrained-str`,
`list[function-after[_https_url(), str]]`, `none`), and the `None` branch of `X | None` adds an
"Input should be None" error that contradicts a schema refusing null. A body location is therefore
rebuilt by walking the request body itself: a segment stays only if it is a key or an index of the
document (or the missing field a `missing` error names). Parameters (path, query, header, cookie)
are flat: their name, then list indexes.

Only the first `MAX_REPORTED` are listed, with the total beside them: a request of thousands of
unknown keys would otherwise be answered with an error per key, an answer far larger than it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

MAX_REPORTED = 20

# pydantic names the model class in these messages; a client knows the field, not our classes.
_OBJECT_EXPECTED = {"model_type", "model_attributes_type", "dataclass_type", "dict_type"}


_ABSENT = object()


def _child(node: Any, segment: Any) -> Any:
    """`node[segment]` if the document has it, else _ABSENT."""
    if isinstance(node, dict) and isinstance(segment, str):
        return node.get(segment, _ABSENT)
    if isinstance(node, list) and isinstance(segment, int) and 0 <= segment < len(node):
        return node[segment]
    return _ABSENT


def _body_location(loc: Sequence[Any], body: Any, error_type: str) -> tuple[list[Any], bool]:
    """`loc` without the segments that are not in the document; and whether any was dropped."""
    out: list[Any] = [loc[0]]
    node = body
    dropped = False
    rest = loc[1:]
    for i, segment in enumerate(rest):
        child = _child(node, segment)
        if child is not _ABSENT:
            node = child
        elif error_type == "json_invalid" or (
            error_type == "missing" and i == len(rest) - 1 and isinstance(node, dict)
        ):
            pass  # the position of a syntax error, or the field that is absent: both are the client's
        else:
            dropped = True
            continue
        out.append(segment)
    return out, dropped


def _parameter_location(loc: Sequence[Any]) -> tuple[list[Any], bool]:
    kept = [*loc[:2], *(s for s in loc[2:] if isinstance(s, int))]
    return kept, len(kept) != len(loc)


def _message(error: dict[str, Any]) -> str:
    if error.get("type") in _OBJECT_EXPECTED:
        return "Input should be an object"
    return str(error.get("msg", ""))


def clean(raw: Sequence[Any], body: Any) -> list[dict[str, Any]]:
    """Every error as {loc, msg, type}, locations naming fields only, without union noise or repeats.

    Only location, message and type: pydantic's `input` and `ctx` may echo large or sensitive input.
    """
    cleaned: list[tuple[dict[str, Any], bool]] = []
    for error in raw:
        loc = list(error.get("loc", ()))
        error_type = str(error.get("type", ""))
        if loc and loc[0] == "body":
            loc, from_branch = _body_location(loc, body, error_type)
        else:
            loc, from_branch = _parameter_location(loc)
        cleaned.append(({"loc": loc, "msg": _message(error), "type": error_type}, from_branch))
    # Every location at or above an error other than "Input should be None".
    explained = {
        tuple(error["loc"][:n])
        for error, _ in cleaned
        if error["type"] != "none_required"
        for n in range(len(error["loc"]) + 1)
    }
    out: list[dict[str, Any]] = []
    seen: set[tuple[tuple[Any, ...], str, str]] = set()
    for error, from_branch in cleaned:
        if from_branch and error["type"] == "none_required" and tuple(error["loc"]) in explained:
            continue  # the `None` branch of `X | None`: the X branch says what is wrong
        key = (tuple(error["loc"]), error["msg"], error["type"])
        if key not in seen:
            seen.add(key)
            out.append(error)
    return out


def bounded(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """The problem members for `errors`: the first MAX_REPORTED, and the count when there were more."""
    members: dict[str, Any] = {"errors": errors[:MAX_REPORTED]}
    if len(errors) > MAX_REPORTED:
        members["errors_omitted"] = len(errors) - MAX_REPORTED
    return members
