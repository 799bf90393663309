"""Orders in DynamoDB, one table (keyed by `pk`) with the order items, their outbox and idempotency keys.

- `order#<id>`: the order, with `customer_id`/`partner_id` and `listed_at` (`<created_at>#<id>`) for
  the `by-customer` and `by-partner` indexes (the partner one sparse: only partner orders carry it),
  and `open_status` while it is PENDING or RESERVED for the sparse `open` index (`open_status`,
  `listed_at`): the reconciler finds the orders left open with one Query per status, never a Scan;
- `outbox#<event id>`: events written in the same transaction as the change they announce
  (foyer.events), published by the relay;
- `idempotency#...`: Idempotency-Key records of `POST /orders` (foyer.idempotency);
- `processed#<event id>`: the saga events whose move was committed (foyer.events);
- `timeline#<id>`: the order's timeline, the read side fed by every event of its saga: its steps and
  the set of event ids already projected (so a redelivered event adds nothing).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from foyer.dynamodb import Condition, ConditionFailed, Table, TransactionCanceled, transact
from foyer.events import AlreadyProcessed, Envelope, Outbox, ProcessedEvents
from services.orders.domain import TERMINAL, Order, OrderExists, Status, TimelineStep

CUSTOMER_INDEX = "by-customer"
PARTNER_INDEX = "by-partner"
OPEN_INDEX = "open"
OPEN_ATTRIBUTE = "open_status"
# The keys a page can end on, per index: the table's plus the index's.
CUSTOMER_KEYS = frozenset({"pk", "customer_id", "listed_at"})
PARTNER_KEYS = frozenset({"pk", "partner_id", "listed_at"})
# Index pages read at most per listing page while skipping orders the listing leaves out.
MAX_READS_PER_PAGE = 5


class OrderChanged(Exception):
    """The order moved since it was read (another event's move won): read it again."""

    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id} changed since it was read")
        self.order_id = order_id


def order_key(order_id: str) -> dict[str, str]:
    return {"pk": f"order#{order_id}"}


def timeline_key(order_id: str) -> dict[str, str]:
    return {"pk": f"timeline#{order_id}"}


def _item(order: Order) -> dict[str, Any]:
    item = {**order_key(order.order_id), **order.model_dump(mode="json", exclude_none=True)}
    item["listed_at"] = f"{item['created_at']}#{order.order_id}"
    if order.status not in TERMINAL:
        # A whole-item put: the order's last put as terminal drops it from the open index.
        item[OPEN_ATTRIBUTE] = order.status.value
    return item


class OrdersStore:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.outbox = Outbox(table)
        self.processed = ProcessedEvents(table)

    def create(self, order: Order, placed: Envelope) -> None:
        """Store a new order and its `OrderPlaced` event, both or neither. Raises OrderExists."""
        try:
            transact(
                [
                    self.table.put_op(
                        _item(order), condition=Condition("attribute_not_exists(#pk)", {"#pk": "pk"})
                    ),
                    self.outbox.put_op(placed),
                ],
                client=self.table.client,
            )
        except TransactionCanceled as exc:
            if exc.reasons[:1] == ["ConditionalCheckFailed"]:
                raise OrderExists(order.order_id) from exc
            raise

    def move(self, moved: Order, *, cause: Envelope | None, announce: Envelope | None, now: datetime) -> None:
        """Store `moved` in place of the version it moved from, with the processed record of the event
        that moved it (none for the reconciler's moves) and `announce` in the outbox, all or nothing.

        Raises OrderChanged when the order is no longer at `moved.version - 1` (nothing written) and
        AlreadyProcessed when `cause` was processed before.
        """
        ops = [
            self.table.put_op(
                _item(moved),
                condition=Condition(
                    "attribute_exists(#pk) AND #version = :previous",
                    {"#pk": "pk", "#version": "version"},
                    {":previous": moved.version - 1},
                ),
            )
        ]
        if announce is not None:
            ops.append(self.outbox.put_op(announce))
        try:
            if cause is None:
                transact(ops, client=self.table.client)
                return
            applied = self.processed.apply_once(cause, ops, now=now)
        except TransactionCanceled as exc:
            if exc.reasons[:1] == ["ConditionalCheckFailed"]:
                raise OrderChanged(moved.order_id) from exc
            raise
        if not applied:
            raise AlreadyProcessed(cause.id)

    def get(self, order_id: str) -> Order | None:
        item = self.table.get(order_key(order_id), consistent=True)
        return Order.model_validate(item) if item else None

    def open_orders(self, status: Status, placed_before: datetime) -> Iterator[Order]:
        """Every order still `status` (PENDING or RESERVED) placed before `placed_before`, oldest first."""
        # As pydantic writes `created_at` (UTC, `Z`); a sub-second difference in form does not matter here.
        cutoff = placed_before.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        key = Condition(
            "#open = :status AND #listed_at < :cutoff",
            {"#open": OPEN_ATTRIBUTE, "#listed_at": "listed_at"},
            {":status": status.value, ":cutoff": cutoff},
        )
        start: dict[str, Any] | None = None
        while True:
            page = self.table.query(key, index=OPEN_INDEX, start_key=start)
            yield from (Order.model_validate(item) for item in page.items)
            if page.last_key is None:
                return
            start = page.last_key

    def orders_of(
        self,
        *,
        customer_id: str | None = None,
        partner_id: str | None = None,
        limit: int,
        start: Mapping[str, Any] | None,
    ) -> tuple[list[Order], dict[str, Any] | None]:
        """One page of a customer's or a partner's orders, newest first, and the key to continue after.

        A customer's orders are those placed without a partner: a partner's orders carry the partner's
        id as their customer id and are listed by partner. The key to continue after is always that of
        the page's last order, never of an order the page leaves out (it would name that order).
        """
        if (customer_id is None) == (partner_id is None):
            raise ValueError("list the orders of one customer or of one partner")
        attribute, value, index, keys = (
            ("customer_id", customer_id, CUSTOMER_INDEX, CUSTOMER_KEYS)
            if customer_id is not None
            else ("partner_id", partner_id, PARTNER_INDEX, PARTNER_KEYS)
        )
        owner = Condition("#owner = :owner", {"#owner": attribute}, {":owner": value})
        kept: list[dict[str, Any]] = []
        last_key = start
        for _ in range(MAX_READS_PER_PAGE):
            page = self.table.query(
                owner, index=index, limit=limit + 1, start_key=last_key, newest_first=True
            )
            kept += [item for item in page.items if partner_id is not None or "partner_id" not in item]
            last_key = page.last_key
            if len(kept) > limit or last_key is None:
                break
        more = len(kept) > limit or last_key is not None
        kept = kept[:limit]
        # Past MAX_READS_PER_PAGE reads of left-out orders with none kept, the listing ends there.
        next_key = {k: kept[-1][k] for k in keys} if more and kept else None
        return [Order.model_validate(item) for item in kept], next_key

    def project(self, order_id: str, step: TimelineStep) -> bool:
        """Add `step` to the order's timeline once; False when its event was projected before."""
        update = Condition(
            "SET #steps = list_append(if_not_exists(#steps, :none), :step), #order_id = :order_id"
            " ADD #seen :ids",
            {"#steps": "steps", "#order_id": "order_id", "#seen": "seen"},
            {
                ":none": [],
                ":step": [step.model_dump(mode="json")],
                ":order_id": order_id,
                ":ids": {step.event_id},
                ":id": step.event_id,
            },
        )
        try:
            self.table.update(timeline_key(order_id), update, condition=Condition("NOT contains(#seen, :id)"))
        except ConditionFailed:
            return False
        return True

    def timeline(self, order_id: str) -> list[TimelineStep] | None:
        """The steps projected so far (in arrival order), or None when no event of the order arrived."""
        item = self.table.get(timeline_key(order_id), consistent=True)
        if item is None:
            return None
        return [TimelineStep.model_validate(step) for step in item.get("steps", [])]
