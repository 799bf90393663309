"""Conditional GETs: a strong ETag over the answer's bytes, and 304 when If-None-Match names it.

Mobile clients on metered links re-read screens often; a 304 carries no body. The tag is a hash of
the JSON the route would send, so equal answers share a tag whatever produced them.
"""

from __future__ import annotations

import hashlib

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """RFC 9110 13.1.2: `*`, or any listed tag equal to `tag` under weak comparison."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(candidate.strip().removeprefix("W/") == tag for candidate in if_none_match.split(","))


def conditional(request: Request, answer: BaseModel) -> Response:
    """`answer` as JSON with its ETag, or a bodiless 304 when the client already holds it."""
    response = JSONResponse(jsonable_encoder(answer))
    tag = etag_of(bytes(response.body))
    if matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers={"ETag": tag})
    response.headers["ETag"] = tag
    return response


NOT_MODIFIED: dict[int | str, dict[str, str]] = {
    304: {"description": "Not modified: the If-None-Match names the current ETag (no body)"}
}
