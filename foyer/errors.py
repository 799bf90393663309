"""RFC 9457 problem details: every error leaves as `application/problem+json`, never a stack trace."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from foyer import correlation, field_errors, metrics, routing

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("foyer.errors")

# RFC 9110's reason phrases where Python < 3.13 still has RFC 7231's: one title per status whatever
# the interpreter (3.11 locally, 3.12 in Lambda) and whichever code path answers (a 413 is "Content
# Too Large" whether the body declared its Content-Length or came chunked).
_RFC9110_TITLES = {
    413: "Content Too Large",
    414: "URI Too Long",
    416: "Range Not Satisfiable",
    422: "Unprocessable Content",
}


def title_for(status: int) -> str:
    """The standard title of `status` (RFC 9110's reason phrase)."""
    return _RFC9110_TITLES.get(status) or HTTPStatus(status).phrase


class Problem(Exception):
    """An expected failure that maps to one HTTP status; raise it from domain or route code."""

    status: int = 400
    type: str = "about:blank"

    def __init__(
        self,
        detail: str,
        *,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.title = title or title_for(self.status)
        self.extensions = extensions
        # Sent with the problem (a `Retry-After`, say); the caller vouches that each is safe to send.
        self.headers: dict[str, str] = dict(headers or {})


class BadRequest(Problem):
    status = 400


class NotFound(Problem):
    status = 404


class Conflict(Problem):
    status = 409


class PayloadTooLarge(Problem):
    status = 413


class Unprocessable(Problem):
    status = 422


def problem_response(
    status: int, detail: str, *, title: str | None = None, type_: str = "about:blank", **extensions: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": type_,
        "title": title or title_for(status),
        "status": status,
        "detail": detail,
        **extensions,
    }
    cid = correlation.get()
    headers = None
    if cid:
        body["correlation_id"] = cid
        # Set here too: a 500 is written by Starlette's outermost middleware, past ours.
        headers = {correlation.HEADER: cid}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    response = problem_response(exc.status, exc.detail, title=exc.title, type_=exc.type, **exc.extensions)
    response.headers.update(exc.headers)
    return response


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors.clean(exc.errors(), exc.body)
    members = field_errors.bounded(errors)
    if any(e["type"] == "json_invalid" for e in errors):
        return problem_response(400, "The request body is not valid JSON.", **members)
    detail = "The request does not match the schema."
    if "errors_omitted" in members:
        detail += f" The first {len(members['errors'])} of {len(errors)} errors are listed."
    return problem_response(422, detail, **members)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    response = problem_response(exc.status_code, detail)
    if exc.headers:
        response.headers.update(exc.headers)
    if exc.status_code == 405:
        response.headers["Allow"] = ", ".join(routing.allowed_methods(request.app.router, request.scope))
    return response


_REPORTED = "__foyer_reported__"


def was_reported(exc: BaseException) -> bool:
    """True for an error this module already logged and counted (servers need not log it again)."""
    return bool(getattr(exc, _REPORTED, False))


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", extra={"path": request.url.path, "method": request.method})
    metrics.emit("UnhandledErrors")
    # An exception type with __slots__ cannot be marked: Mangum then logs it once more, no harm.
    with contextlib.suppress(AttributeError):
        setattr(exc, _REPORTED, True)
    return problem_response(500, "An unexpected error occurred; quote the correlation id when reporting it.")


def install(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)
