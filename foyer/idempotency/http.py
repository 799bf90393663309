"""Idempotency-Key for FastAPI routes (draft-ietf-httpapi-idempotency-key-header).

A service wires one dependency and registers one problem table:

    # deps.py
    Once = Annotated[IdempotentCall, Depends(idempotent(get_idempotency_store))]
    # problems.py
    PROBLEMS = ProblemTable({...}) | idempotency.PROBLEMS
    # api.py
    @router.post("/orders", responses=PROBLEMS.responses(KeyReused, RequestInFlight))
    async def place_order(order: OrderIn, once: Once, store: Store) -> Response:
        if once.replay is not None:
            return once.replay
        ...
        return await once.complete(JSONResponse(..., status_code=201, headers={"Location": ...}))

Without the header a call is untracked and `complete` just returns the response. With it, the same
key and request give the stored response again (with `Idempotent-Replayed: true`), the same key with
another request is a 422, and a duplicate while the first is in flight a 409 with `Retry-After`. A
route that raises gives the key back, so a retry runs again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import Depends, Header, Request, Response

from foyer.blocking import run_blocking
from foyer.idempotency.exceptions import KeyReused, RequestInFlight
from foyer.idempotency.record import StoredResponse
from foyer.idempotency.store import Claim, IdempotencyStore
from foyer.problems import ProblemTable, ProblemType

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Visible ASCII, as long as a UUID or a client's own scheme needs; the key goes into a DynamoDB key.
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"
# Never replayed: they describe the transport or the first request, not the answer.
_UNREPLAYED = frozenset({"content-length", "date", "server", "x-correlation-id", "transfer-encoding"})
log = logging.getLogger("foyer.idempotency")

PROBLEMS = ProblemTable(
    {
        KeyReused: ProblemType[KeyReused](
            "idempotency-key-reused",
            422,
            "Idempotency key reused",
            detail=lambda e: f"The {HEADER} was used before with another request; use a new key.",
        ),
        RequestInFlight: ProblemType[RequestInFlight](
            "idempotency-request-in-flight",
            409,
            "Request in progress",
            detail=lambda e: f"The first request with this {HEADER} is still in progress; retry later.",
            headers=lambda e: {"Retry-After": str(e.retry_after_s)},
            header_names=("Retry-After",),
        ),
    }
)


def fingerprint(method: str, path: str, body: bytes) -> str:
    """The hash that says whether two requests are the same: method, path and body (a JSON body in a
    canonical form, so key order and whitespace do not make it another request)."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(canonical)
    return digest.hexdigest()


class IdempotentCall:
    """One route call under an Idempotency-Key: `replay` is the stored response to send instead of
    running again (None: run, then pass the response through `complete`)."""

    def __init__(
        self, store: IdempotencyStore | None = None, outcome: Claim | StoredResponse | None = None
    ) -> None:
        self._store = store
        self._claim = outcome if isinstance(outcome, Claim) else None
        self.replay = _replay(outcome) if isinstance(outcome, StoredResponse) else None

    @property
    def pending(self) -> bool:
        """True while this call holds a claim that was neither completed nor given back."""
        return self._claim is not None

    async def complete(self, response: Response) -> Response:
        """Store `response` as the key's answer (when a key was given) and return it."""
        if self._store is not None and self._claim is not None:
            claim, self._claim = self._claim, None
            await run_blocking(self._store.complete, claim, stored(response))
        return response

    async def abandon(self) -> None:
        """Give the key back unanswered, so a retry runs again."""
        if self._store is not None and self._claim is not None:
            claim, self._claim = self._claim, None
            await run_blocking(self._store.release, claim)


def stored(response: Response) -> StoredResponse:
    """What is kept of `response` to replay it (its body must be text: Foyer's APIs answer JSON)."""
    headers = {k: v for k, v in response.headers.items() if k.lower() not in _UNREPLAYED}
    return StoredResponse(response.status_code, headers, bytes(response.body).decode("utf-8"))


def _replay(answer: StoredResponse) -> Response:
    return Response(
        content=answer.body, status_code=answer.status, headers={**answer.headers, REPLAYED_HEADER: "true"}
    )


def idempotent(
    get_store: Callable[[], IdempotencyStore],
    *,
    scope: Callable[[Request], str] = lambda request: f"{request.method} {request.url.path}",
    required: bool = False,
    key_pattern: str = KEY_PATTERN,
) -> Callable[..., AsyncIterator[IdempotentCall]]:
    """A FastAPI dependency yielding the route's IdempotentCall. Keys are namespaced by `scope`
    (by default the method and path: one key per operation; evaluated after `get_store` and its
    own dependencies); `get_store` is the service's deps.py provider, so tests override it like any
    other dependency. `required`: a request without the header is a 422, not an untracked call.
    `key_pattern`: the keys accepted, published in the OpenAPI (an edge that passes the key on with a
    prefix accepts fewer than KEY_PATTERN, so that the prefixed key stays within the service's)."""

    description = "Makes the request safe to repeat: same key and request, same answer"

    @asynccontextmanager
    async def tracked(
        request: Request, store: IdempotencyStore, key: str | None
    ) -> AsyncIterator[IdempotentCall]:
        if key is None:
            yield IdempotentCall()
            return
        payload_hash = fingerprint(request.method, request.url.path, await request.body())
        outcome = await run_blocking(store.claim, f"{scope(request)}#{key}", payload_hash)
        call = IdempotentCall(store, outcome)
        try:
            yield call
        except BaseException:
            await call.abandon()
            raise
        if call.pending:
            log.error("route returned without completing its idempotent call; key released")
            await call.abandon()

    # Two signatures, so that a required key is published as a plain string (`str | None` would let a
    # generated client send None). Defaults, not Annotated: the annotations are strings (PEP 563) that
    # FastAPI resolves in this module's globals, where the closure's `get_store` is not.
    async def required_key(
        request: Request,
        store: IdempotencyStore = Depends(get_store),  # noqa: B008
        key: str = Header(alias=HEADER, pattern=key_pattern, description=f"Required. {description}"),
    ) -> AsyncIterator[IdempotentCall]:
        async with tracked(request, store, key) as call:
            yield call

    async def optional_key(
        request: Request,
        store: IdempotencyStore = Depends(get_store),  # noqa: B008
        key: str | None = Header(None, alias=HEADER, pattern=key_pattern, description=description),
    ) -> AsyncIterator[IdempotentCall]:
        async with tracked(request, store, key) as call:
            yield call

    return required_key if required else optional_key
