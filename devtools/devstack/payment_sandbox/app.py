"""The sandbox's HTTP API: Stripe's charge and refund routes and error shapes, plus `/_sandbox` test
controls."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import random
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devtools.devstack.payment_sandbox.config import FAULTS, Fault, SandboxConfig
from devtools.devstack.payment_sandbox.faults import GARBAGE_BODIES, FaultPlan
from devtools.devstack.payment_sandbox.ledger import TOKENS, Answer, KeyRecord, Ledger

log = logging.getLogger("devtools.devstack.payment_sandbox")

FORM = "application/x-www-form-urlencoded"
REPLAYED = "Idempotent-Replayed"
MAX_AMOUNT = 99_999_999
MAX_KEY_LENGTH = 255
_PARAMS = frozenset({"amount", "currency", "source", "description"})


class InvalidRequest(Exception):
    """A request the provider refuses as Stripe does: an error object (`invalid_request_error` unless
    said otherwise) with its status."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        type_: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = _error(type_, message, code=code, param=param)

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, status_code=self.status)


def _error(type_: str, message: str, **members: Any) -> dict[str, Any]:
    return {"error": {"type": type_, "message": message, **{k: v for k, v in members.items() if v}}}


def _masked(key: str) -> str:
    """A key as Stripe echoes a wrong one: its prefix and last four characters."""
    return f"{key[:8]}{'*' * max(len(key) - 12, 0)}{key[-4:]}" if len(key) > 12 else "*" * len(key)


class Sandbox:
    """The provider's state and handlers (one per app; uvicorn runs them on one event loop)."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.api_keys = set(config.api_keys)
        self.faults = FaultPlan(config)
        self.ledger = Ledger()
        self._pending: set[asyncio.Task[Answer]] = set()

    # -- /v1 ---------------------------------------------------------------------------------------

    async def create_charge(self, request: Request) -> Response:
        try:
            self._authenticate(request)
            await self._latency()
            key = _idempotency_key(request)
            fault, rng = self.faults.draw(key)
            if fault in ("429", "503"):
                return self._refused(fault)
            params = await _form(request)
            record = self.ledger.keys.get(key) if key is not None else None
            if record is not None:
                return await self._replay(record, params, fault, rng)
            amount, currency, source, metadata = _charge_params(params)
        except InvalidRequest as exc:
            return exc.response()
        if key is not None:
            record = self.ledger.keys[key] = KeyRecord(params)
        if fault == "timeout":
            # In flight until the hang ends (a retry meanwhile is a 409); shielded so the charge is
            # still made when the client hangs up, as at a real provider.
            answer = await asyncio.shield(
                self._slowly(self.ledger.charge, amount, currency, source, metadata)
            )
        else:
            answer = self.ledger.charge(amount, currency, source, metadata)
        if record is not None:
            record.answer = answer
        log.info(
            "charge",
            extra={"order_id": metadata.get("order_id"), "http_status": answer.status, "fault": fault},
        )
        return self._answered(answer, fault, rng, replayed=False)

    async def create_refund(self, request: Request) -> Response:
        """`POST /v1/refunds` with `charge`: the whole charge refunded once; an `Idempotency-Key`
        makes a repeat answer the first refund (no fault injection here: charges carry it)."""
        try:
            self._authenticate(request)
            await self._latency()
            key = _idempotency_key(request)
            params = await _form(request)
            record = self.ledger.keys.get(key) if key is not None else None
            if record is not None:
                # No fault is drawn for a refund, so the random source goes unused.
                return await self._replay(record, params, None, random.Random())  # noqa: S311
            charge_id = _refund_params(params)
        except InvalidRequest as exc:
            return exc.response()
        answer = self.ledger.refund(charge_id)
        if key is not None:
            self.ledger.keys[key] = KeyRecord(params, answer)
        log.info("refund", extra={"charge": charge_id, "http_status": answer.status})
        return JSONResponse(answer.body, status_code=answer.status)

    async def list_refunds(self, request: Request) -> Response:
        """`GET /v1/refunds`, of one `charge` or of one order's charges (`metadata[order_id]`)."""
        query = request.query_params
        return await self._listed(
            request,
            "/v1/refunds",
            lambda: self.ledger.refunds_of(query.get("charge"), query.get("metadata[order_id]")),
        )

    async def list_charges(self, request: Request) -> Response:
        order_id = request.query_params.get("metadata[order_id]")
        return await self._listed(
            request,
            "/v1/charges",
            lambda: (
                self.ledger.of_order(order_id)
                if order_id is not None
                else list(reversed(self.ledger.charges))
            ),
        )

    async def _listed(self, request: Request, url: str, find: Callable[[], list[dict[str, Any]]]) -> Response:
        """A Stripe list of what `find` returns, cut at the request's `limit`."""
        try:
            self._authenticate(request)
            await self._latency()
            limit = _limit(request.query_params.get("limit", "10"))
        except InvalidRequest as exc:
            return exc.response()
        found = find()
        return JSONResponse(
            {"object": "list", "url": url, "has_more": len(found) > limit, "data": found[:limit]}
        )

    async def get_charge(self, request: Request) -> Response:
        try:
            self._authenticate(request)
            await self._latency()
        except InvalidRequest as exc:
            return exc.response()
        charge_id = request.path_params["charge_id"]
        for charge in self.ledger.charges:
            if charge["id"] == charge_id:
                return JSONResponse(charge)
        return InvalidRequest(404, f"No such charge: '{charge_id}'", code="resource_missing").response()

    # -- /_sandbox: test controls, open to anyone who can reach 127.0.0.1 -------------------------

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "service": "payment-sandbox"})

    async def script_faults(self, request: Request) -> Response:
        body = await _json(request)
        try:
            self.faults.script(body.get("next", []))
        except (TypeError, ValueError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return await self.fault_counts(request)

    async def fault_counts(self, request: Request) -> Response:
        return JSONResponse({"injected": dict(self.faults.injected), "scripted": list(self.faults.scripted)})

    async def show_behaviour(self, request: Request) -> Response:
        return JSONResponse(_behaviour(self.config))

    async def set_behaviour(self, request: Request) -> Response:
        """Change how the running sandbox behaves (error rate, latency, faults, ...): what a developer
        turns while `make dev` runs to watch the saga under a flaky provider, and what tests drive."""
        body = await _json(request)
        current = _behaviour(self.config)
        unknown = set(body) - set(current)
        if unknown:
            return JSONResponse({"error": f"unknown settings: {', '.join(sorted(unknown))}"}, status_code=400)
        try:
            changes = {name: _setting(name, value) for name, value in body.items()}
            config = dataclasses.replace(self.config, **changes)
        except (TypeError, ValueError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        self.config = self.faults.config = config
        return JSONResponse(_behaviour(config))

    async def set_keys(self, request: Request) -> Response:
        keys = (await _json(request)).get("keys")
        if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
            return JSONResponse({"error": "keys must be a list of non-empty strings"}, status_code=400)
        self.api_keys = set(keys)
        return JSONResponse({"keys": len(self.api_keys)})

    # -- helpers -----------------------------------------------------------------------------------

    def _authenticate(self, request: Request) -> None:
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not key:
            raise InvalidRequest(401, "You did not provide an API key. Use `Authorization: Bearer <key>`.")
        if key not in self.api_keys:
            raise InvalidRequest(401, f"Invalid API Key provided: {_masked(key)}")

    async def _latency(self) -> None:
        if self.config.latency_ms:
            await asyncio.sleep(self.config.latency_ms / 1000)

    async def _slowly(self, charge: Any, *args: Any) -> Answer:
        task: asyncio.Task[Answer] = asyncio.create_task(self._after_hang(charge, *args))
        self._pending.add(task)  # a task only weakly referenced may be collected mid-flight
        task.add_done_callback(self._pending.discard)
        return await task

    async def _after_hang(self, charge: Any, *args: Any) -> Answer:
        await asyncio.sleep(self.config.hang_ms / 1000)
        answer: Answer = charge(*args)
        return answer

    async def _replay(
        self, record: KeyRecord, params: tuple[tuple[str, str], ...], fault: Fault | None, rng: random.Random
    ) -> Response:
        if record.params != params:
            raise InvalidRequest(
                422,
                "Keys for idempotent requests can only be used with the same parameters they were first "
                "used with.",
                code="idempotency_key_reused",
                type_="idempotency_error",
            )
        if record.answer is None:
            raise InvalidRequest(
                409,
                "A request with this idempotency key is still being processed; retry later.",
                code="idempotency_key_in_use",
                type_="idempotency_error",
            )
        if fault == "timeout":
            await asyncio.sleep(self.config.hang_ms / 1000)
        return self._answered(record.answer, fault, rng, replayed=True)

    def _refused(self, fault: Fault) -> Response:
        headers = {"Retry-After": str(self.config.retry_after_s)}
        if fault == "429":
            body = _error(
                "invalid_request_error", "Too many requests hit the API too quickly.", code="rate_limit"
            )
            return JSONResponse(body, status_code=429, headers=headers)
        return JSONResponse(
            _error("api_error", "The service is unavailable."), status_code=503, headers=headers
        )

    def _answered(
        self, answer: Answer, fault: Fault | None, rng: random.Random, *, replayed: bool
    ) -> Response:
        """`answer` as sent, unless a fault after the charge loses it."""
        if fault == "500":
            return JSONResponse(_error("api_error", "Something went wrong on our end."), status_code=500)
        if fault == "garbage":
            body, media_type = rng.choice(GARBAGE_BODIES)
            return Response(body, status_code=200, media_type=media_type)
        headers = {REPLAYED: "true"} if replayed else {}
        return JSONResponse(answer.body, status_code=answer.status, headers=headers)


def _idempotency_key(request: Request) -> str | None:
    """The request's `Idempotency-Key`, None when it has none, or an InvalidRequest."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 0 < len(key) <= MAX_KEY_LENGTH:
        raise InvalidRequest(400, f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.")
    return key


async def _form(request: Request) -> tuple[tuple[str, str], ...]:
    """The request's form parameters, sorted (the same parameters in any order are the same request)."""
    if request.headers.get("Content-Type", "").split(";")[0].strip().lower() != FORM:
        raise InvalidRequest(400, f"Send parameters as {FORM}.")
    try:
        pairs = parse_qsl((await request.body()).decode(), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidRequest(400, "The request body is not a valid form.") from exc
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise InvalidRequest(400, "A parameter was given more than once.")
    return tuple(sorted(pairs))


def _charge_params(params: tuple[tuple[str, str], ...]) -> tuple[int, str, str, dict[str, str]]:
    """(amount, currency, source, metadata) of a charge, or an InvalidRequest naming the bad one."""
    values = dict(params)
    metadata = {
        name[9:-1]: value
        for name, value in values.items()
        if name.startswith("metadata[") and name[-1] == "]"
    }
    for name in values:
        if name not in _PARAMS and not (name.startswith("metadata[") and name[-1] == "]"):
            raise InvalidRequest(
                400, f"Received unknown parameter: {name}", code="parameter_unknown", param=name
            )
    for name in ("amount", "currency", "source"):
        if not values.get(name):
            raise InvalidRequest(
                400, f"Missing required param: {name}.", code="parameter_missing", param=name
            )
    amount = values["amount"]
    if not amount.isascii() or not amount.isdigit() or not 0 < int(amount) <= MAX_AMOUNT:
        raise InvalidRequest(
            400, f"Invalid integer: {amount}", code="parameter_invalid_integer", param="amount"
        )
    currency = values["currency"].lower()
    if len(currency) != 3 or not currency.isascii() or not currency.isalpha():
        raise InvalidRequest(400, f"Invalid currency: {currency}", code="parameter_invalid", param="currency")
    source = values["source"]
    if source not in TOKENS:
        raise InvalidRequest(400, f"No such token: '{source}'", code="resource_missing", param="source")
    return int(amount), currency, source, metadata


def _refund_params(params: tuple[tuple[str, str], ...]) -> str:
    """The charge a refund names, or an InvalidRequest (partial refunds are not modelled)."""
    values = dict(params)
    for name in values:
        if name != "charge":
            raise InvalidRequest(
                400, f"Received unknown parameter: {name}", code="parameter_unknown", param=name
            )
    if not values.get("charge"):
        raise InvalidRequest(400, "Missing required param: charge.", code="parameter_missing", param="charge")
    return values["charge"]


def _limit(text: str) -> int:
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 100:
        raise InvalidRequest(400, "limit must be an integer from 1 to 100.", param="limit")
    return int(text)


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _behaviour(config: SandboxConfig) -> dict[str, Any]:
    """The settings `/_sandbox/behaviour` shows and changes (not the keys: `/_sandbox/keys`)."""
    shown = {f.name: getattr(config, f.name) for f in dataclasses.fields(config) if f.name != "api_keys"}
    shown["faults"] = list(config.faults)
    return shown


# Each numeric setting's declared kind, from its default: a value set earlier (`0` for a rate) must
# not narrow what the setting accepts next.
NUMERIC_KINDS: dict[str, type] = {
    f.name: type(f.default) for f in dataclasses.fields(SandboxConfig) if isinstance(f.default, (int, float))
}


def _setting(name: str, value: Any) -> Any:
    """`value` for the setting `name` if it has the setting's declared type, else TypeError."""
    if name == "faults":
        if not isinstance(value, list) or not all(v in FAULTS for v in value):
            raise TypeError(f"faults must be a list of some of {', '.join(FAULTS)}")
        return tuple(value)
    kind = NUMERIC_KINDS[name]
    accepted = (int, float) if kind is float else (int,)
    if isinstance(value, bool) or not isinstance(value, accepted):
        raise TypeError(f"{name} must be a {'number' if kind is float else 'whole number'}")
    return kind(value)


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """A sandbox provider behaving as `config` says (the state is the app's: `app.state.sandbox`)."""
    sandbox = Sandbox(config or SandboxConfig())
    app = Starlette(
        routes=[
            Route("/health", sandbox.health, methods=["GET"]),
            Route("/v1/charges", sandbox.create_charge, methods=["POST"]),
            Route("/v1/charges", sandbox.list_charges, methods=["GET"]),
            Route("/v1/charges/{charge_id}", sandbox.get_charge, methods=["GET"]),
            Route("/v1/refunds", sandbox.create_refund, methods=["POST"]),
            Route("/v1/refunds", sandbox.list_refunds, methods=["GET"]),
            Route("/_sandbox/faults", sandbox.script_faults, methods=["POST"]),
            Route("/_sandbox/faults", sandbox.fault_counts, methods=["GET"]),
            Route("/_sandbox/keys", sandbox.set_keys, methods=["POST"]),
            Route("/_sandbox/behaviour", sandbox.show_behaviour, methods=["GET"]),
            Route("/_sandbox/behaviour", sandbox.set_behaviour, methods=["POST"]),
        ]
    )
    app.state.sandbox = sandbox
    return app
