"""Idempotency-Key support: the key's record in the owning service's table, claimed with one
conditional write, and a FastAPI dependency that serves a repeated request its first answer.

- `record`: the record and the rules of a repeat (pure);
- `store`: claiming, completing and releasing records in DynamoDB;
- `exceptions`: KeyReused (422), RequestInFlight (409);
- `http`: the route dependency `idempotent` and the problem table `PROBLEMS`.

Why not Powertools' idempotency utility: its import cost and fit, in docs/architecture.md.
"""

from foyer.idempotency.exceptions import IdempotencyError, KeyReused, RequestInFlight
from foyer.idempotency.record import IdempotencyRecord, Status, StoredResponse
from foyer.idempotency.store import Claim, IdempotencyStore

__all__ = [
    "Claim",
    "IdempotencyError",
    "IdempotencyRecord",
    "IdempotencyStore",
    "KeyReused",
    "RequestInFlight",
    "Status",
    "StoredResponse",
]
