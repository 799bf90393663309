"""Domain failures mapped to RFC 9457 problems in one table per service, registered once.

A service declares which of its domain exceptions becomes which problem (type URN, status, title, the
detail and any extension members); `create_app` registers the table, routes only call the domain, and
the OpenAPI documents each operation's problems from the same table (Powertools' exception handlers,
with the documentation derived instead of written twice).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from foyer.errors import problem_response, title_for

E = TypeVar("E", bound=Exception)
TYPE_PREFIX = "urn:foyer:problem:"
# The headers problems carry, as the OpenAPI documents them (a ProblemType names its own).
RESPONSE_HEADERS: dict[str, dict[str, Any]] = {
    "Retry-After": {
        "description": "Seconds to wait before sending the request again",
        "schema": {"type": "integer", "minimum": 0},
    },
    "WWW-Authenticate": {
        "description": "How to authenticate, and why the credentials were refused (RFC 6750)",
        "schema": {"type": "string"},
    },
}


def _no_members(exc: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class ProblemType(Generic[E]):
    """How one domain exception leaves: `urn:foyer:problem:<slug>`, its status, title and members."""

    slug: str
    status: int
    title: str
    detail: Callable[[E], str] = str
    members: Callable[[E], Mapping[str, Any]] = _no_members
    headers: Callable[[E], Mapping[str, str]] | None = None
    # The names `headers` answers, documented in the OpenAPI (keys of RESPONSE_HEADERS).
    header_names: tuple[str, ...] = ()

    @property
    def type(self) -> str:
        return TYPE_PREFIX + self.slug

    def response(self, exc: E) -> JSONResponse:
        answer = problem_response(
            self.status, self.detail(exc), title=self.title, type_=self.type, **self.members(exc)
        )
        if self.headers is not None:
            answer.headers.update(self.headers(exc))
        return answer


@dataclass(frozen=True)
class ProblemTable:
    """A service's exception -> problem table: registered as handlers, documented as responses."""

    types: Mapping[type[Exception], ProblemType[Any]] = field(default_factory=dict)

    def lookup(self, exc: Exception) -> ProblemType[Any]:
        """The problem of `exc`, through its class hierarchy (the most derived match wins)."""
        for cls in type(exc).__mro__:
            found = self.types.get(cls)
            if found is not None:
                return found
        raise LookupError(f"no problem is declared for {type(exc).__name__}")

    def install(self, app: FastAPI) -> None:
        """Register one exception handler per declared exception."""

        async def handle(request: Request, exc: Exception) -> JSONResponse:
            return self.lookup(exc).response(exc)

        for exc_type in self.types:
            app.add_exception_handler(exc_type, handle)

    def responses(self, *exc_types: type[Exception]) -> dict[int | str, dict[str, Any]]:
        """The OpenAPI `responses` of an operation that may raise `exc_types`, grouped by status.

        The body schema (problem+json) is attached by foyer.openapi; here each status gets a
        description listing the problem types it carries.
        """
        by_status: dict[int, list[ProblemType[Any]]] = {}
        for exc_type in exc_types:
            problem = self.types[exc_type]
            by_status.setdefault(problem.status, []).append(problem)
        return {status: _describe(status, problems) for status, problems in sorted(by_status.items())}

    def __or__(self, other: ProblemTable) -> ProblemTable:
        return ProblemTable({**self.types, **other.types})


def _describe(status: int, problems: Iterable[ProblemType[Any]]) -> dict[str, Any]:
    """The response of `status`: its problem types, and the headers they carry (required when every
    one of them carries it)."""
    problems = list(problems)
    kinds = "; ".join(f"`{p.type}`: {p.title}" for p in problems)
    names = sorted({name for p in problems for name in p.header_names})
    described: dict[str, Any] = {"description": f"{title_for(status)} ({kinds})"}
    if names:
        described["headers"] = {
            name: {**RESPONSE_HEADERS[name], "required": all(name in p.header_names for p in problems)}
            for name in names
        }
    return described
