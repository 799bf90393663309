"""The sandbox's memory: every charge and refund it made, and what each idempotency key was first
answered."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

# Card tokens, as Stripe's test mode names them: None is charged, a pair is (code, decline code).
TOKENS: dict[str, tuple[str, str] | None] = {
    "tok_visa": None,
    "tok_mastercard": None,
    "tok_amex": None,
    "tok_decline": ("card_declined", "generic_decline"),
    "tok_chargeDeclined": ("card_declined", "generic_decline"),
    "tok_chargeDeclinedInsufficientFunds": ("card_declined", "insufficient_funds"),
    "tok_chargeDeclinedExpiredCard": ("expired_card", "expired_card"),
}


@dataclass(frozen=True)
class Answer:
    """A stored HTTP answer: what a replay sends again."""

    status: int
    body: dict[str, Any]


@dataclass
class KeyRecord:
    """One idempotency key: the parameters it was first used with and, once done, its answer."""

    params: tuple[tuple[str, str], ...]
    answer: Answer | None = None


@dataclass
class Ledger:
    charges: list[dict[str, Any]] = field(default_factory=list)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    keys: dict[str, KeyRecord] = field(default_factory=dict)

    def charge(self, amount: int, currency: str, source: str, metadata: dict[str, str]) -> Answer:
        """Charge `source` (or record its decline, as Stripe records failed charges)."""
        decline = TOKENS[source]
        charge: dict[str, Any] = {
            "id": f"ch_{uuid.uuid4().hex[:24]}",
            "object": "charge",
            "amount": amount,
            "currency": currency,
            "source": source,
            "metadata": metadata,
            "created": int(time.time()),
            "livemode": False,
            "status": "succeeded" if decline is None else "failed",
            "paid": decline is None,
            "captured": decline is None,
            "failure_code": None if decline is None else decline[0],
        }
        self.charges.append(charge)
        if decline is None:
            return Answer(200, charge)
        code, decline_code = decline
        error = {
            "type": "card_error",
            "code": code,
            "decline_code": decline_code,
            "message": "Your card was declined." if code == "card_declined" else "Your card has expired.",
            "charge": charge["id"],
        }
        return Answer(402, {"error": error})

    def of_order(self, order_id: str) -> list[dict[str, Any]]:
        """The charges whose `metadata[order_id]` is `order_id`, newest first."""
        return [c for c in reversed(self.charges) if c["metadata"].get("order_id") == order_id]

    def refund(self, charge_id: str) -> Answer:
        """Refund the whole of a succeeded charge, once (Stripe answers a second refund of a fully
        refunded charge with `charge_already_refunded`)."""
        charge = next((c for c in self.charges if c["id"] == charge_id), None)
        if charge is None:
            return Answer(404, _invalid(f"No such charge: '{charge_id}'", "resource_missing"))
        if charge["status"] != "succeeded":
            return Answer(
                400, _invalid(f"Charge {charge_id} has no funds to refund.", "charge_not_refundable")
            )
        if charge.get("refunded"):
            return Answer(
                400, _invalid(f"Charge {charge_id} has already been refunded.", "charge_already_refunded")
            )
        refund: dict[str, Any] = {
            "id": f"re_{uuid.uuid4().hex[:24]}",
            "object": "refund",
            "amount": charge["amount"],
            "currency": charge["currency"],
            "charge": charge_id,
            "metadata": dict(charge["metadata"]),
            "created": int(time.time()),
            "status": "succeeded",
        }
        charge["refunded"], charge["amount_refunded"] = True, charge["amount"]
        self.refunds.append(refund)
        return Answer(200, refund)

    def refunds_of(self, charge_id: str | None = None, order_id: str | None = None) -> list[dict[str, Any]]:
        """The refunds of a charge, or of the charges of an order (`metadata[order_id]`), newest first."""
        return [
            r
            for r in reversed(self.refunds)
            if (charge_id is None or r["charge"] == charge_id)
            and (order_id is None or r["metadata"].get("order_id") == order_id)
        ]


def _invalid(message: str, code: str) -> dict[str, Any]:
    return {"error": {"type": "invalid_request_error", "code": code, "message": message}}
