"""A payment provider on this machine, shaped like Stripe's charges API, for the local stack and tests.

Dev-only: the packager leaves `devtools/devstack` out of every zip and an import-linter contract keeps
runtime code from importing it. What it does, so the payments client can be proven against it:

- `Authorization: Bearer <key>`: 401 without a key or with one it does not hold (`POST /_sandbox/keys`
  replaces the keys it holds: a rotation).
- `POST /v1/charges` (form-encoded, as Stripe: `amount`, `currency`, `source`, `metadata[order_id]`)
  with an optional `Idempotency-Key`, as the IETF draft "The Idempotency-Key HTTP Header Field"
  describes: the same key and parameters answer the stored result again (`Idempotent-Replayed:
  true`), other parameters are a 422, a first request still being processed is a 409.
- Card tokens: `tok_visa`, `tok_mastercard` are charged; `tok_decline` (and Stripe's
  `tok_chargeDeclined*`) are declined with a 402 `card_error`, the failed charge recorded as Stripe does.
- Faults from a seeded random source, drawn per idempotency key and attempt number (so concurrent
  orders do not change each other's draws): 429 with `Retry-After` and 503 before anything is
  charged; 500, a garbage 200 and a timeout (the answer comes after the client gave up) after the
  charge is made, which only an idempotency key makes safe to retry. `POST /_sandbox/faults` scripts
  the next ones; `GET /_sandbox/faults` counts those injected. `GET`/`POST /_sandbox/behaviour` shows
  and changes the running sandbox's error rate, faults, latency and seed (e.g. 30 % faults under
  `make dev`: `curl -X POST localhost:8199/_sandbox/behaviour -d '{"error_rate": 0.3}'`).
- Every charge recorded: `GET /v1/charges?metadata[order_id]=...` lists an order's charges.
"""

from __future__ import annotations

from devtools.devstack.payment_sandbox.app import create_app
from devtools.devstack.payment_sandbox.config import DEFAULT_API_KEY, FAULTS, Fault, SandboxConfig

__all__ = ["DEFAULT_API_KEY", "FAULTS", "Fault", "SandboxConfig", "create_app"]
