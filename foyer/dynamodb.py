"""DynamoDB through boto3's low-level client, with plain Python values in and out.

Services describe items as dicts of str/int/bool/list/dict; this module converts them, maps the
two conditional failures to exceptions the domain can reason about, and nothing else.

Every conditional write asks DynamoDB for `ReturnValuesOnConditionCheckFailure=ALL_OLD`: a failed
write then carries the item that beat it (no second read, which could race with yet another
writer, and costs no extra capacity).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from foyer import aws

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

Item = dict[str, Any]


class ConditionFailed(Exception):
    """A conditional write found the item in another state than required.

    `item` is the item as it was when the condition failed, or None if there was none.
    """

    def __init__(self, message: str, item: Item | None = None) -> None:
        super().__init__(message)
        self.item = item


class TransactionCanceled(Exception):
    """A transaction was refused; `reasons[i]` is the cancellation code of operation i ('None' if fine).

    `items[i]` is the item operation i found when its condition failed (None otherwise).
    """

    def __init__(self, reasons: list[str], items: list[Item | None] | None = None) -> None:
        super().__init__(f"transaction canceled: {reasons}")
        self.reasons = reasons
        self.items = items if items is not None else [None] * len(reasons)


def _serializer() -> Any:
    from boto3.dynamodb.types import TypeSerializer

    return TypeSerializer()


def _deserializer() -> Any:
    from boto3.dynamodb.types import TypeDeserializer

    return TypeDeserializer()


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; our domain stores integers only."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set):
        return [_plain(v) for v in value]
    return value


def to_dynamo(item: Mapping[str, Any]) -> dict[str, Any]:
    ser = _serializer()
    return {k: ser.serialize(v) for k, v in item.items()}


def from_dynamo(item: Mapping[str, Any]) -> Item:
    des = _deserializer()
    return {k: _plain(des.deserialize(v)) for k, v in item.items()}


@dataclass(frozen=True)
class Condition:
    """A condition or update expression with its placeholder names and values."""

    expression: str
    names: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)

    def params(self, key: str = "ConditionExpression") -> dict[str, Any]:
        out: dict[str, Any] = {key: self.expression}
        if self.names:
            out["ExpressionAttributeNames"] = dict(self.names)
        if self.values:
            out["ExpressionAttributeValues"] = to_dynamo(self.values)
        return out


def _merge(*conds: tuple[str, Condition | None]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, cond in conds:
        if cond is None:
            continue
        params = cond.params(key)
        out[key] = params[key]
        out.setdefault("ExpressionAttributeNames", {}).update(params.get("ExpressionAttributeNames", {}))
        out.setdefault("ExpressionAttributeValues", {}).update(params.get("ExpressionAttributeValues", {}))
    if "ConditionExpression" in out:
        out["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return {k: v for k, v in out.items() if v}


def _old_item(raw: Mapping[str, Any] | None) -> Item | None:
    return from_dynamo(raw) if raw else None


def _response_item(response: Mapping[str, Any]) -> Mapping[str, Any] | None:
    # botocore parses the modelled `Item` of a ConditionalCheckFailedException into the error
    # response; the stubs type error responses generically.
    item = response.get("Item")
    return item if isinstance(item, Mapping) else None


def single_key(pk: str, sort_key: str | None = None, sort_value: str = "-") -> dict[str, str]:
    """The key of the one item of partition `pk`: `pk`, plus `sort_value` under the table's sort key
    attribute when it has one (`sort_key`; None for a partition-key-only table)."""
    return {"pk": pk} if sort_key is None else {"pk": pk, sort_key: sort_value}


@dataclass(frozen=True)
class Page:
    items: list[Item]
    last_key: Item | None


class Table:
    """One DynamoDB table, addressed by name, through `client` (default: the process-wide one)."""

    def __init__(self, name: str, *, client: DynamoDBClient | None = None) -> None:
        self.name = name
        self._given_client = client

    @property
    def client(self) -> DynamoDBClient:
        # Resolved on use, not in __init__: a Table built at import time creates no client.
        return self._given_client or aws.client("dynamodb")

    def get(self, key: Mapping[str, Any], *, consistent: bool = False) -> Item | None:
        response = self.client.get_item(TableName=self.name, Key=to_dynamo(key), ConsistentRead=consistent)
        item = response.get("Item")
        return from_dynamo(item) if item else None

    def batch_get(self, keys: Sequence[Mapping[str, Any]]) -> list[Item]:
        """Every existing item among `keys` (at most 100 per call), retrying unprocessed keys."""
        found: list[Item] = []
        pending: list[dict[str, Any]] = [to_dynamo(k) for k in keys]
        while pending:
            batch, pending = pending[:100], pending[100:]
            response = self.client.batch_get_item(RequestItems={self.name: {"Keys": batch}})
            found.extend(from_dynamo(i) for i in response.get("Responses", {}).get(self.name, []))
            unprocessed = response.get("UnprocessedKeys", {}).get(self.name)
            if unprocessed:
                pending.extend(dict(key) for key in unprocessed["Keys"])
        return found

    def put(self, item: Mapping[str, Any], *, condition: Condition | None = None) -> None:
        try:
            self.client.put_item(
                TableName=self.name, Item=to_dynamo(item), **_merge(("ConditionExpression", condition))
            )
        except self.client.exceptions.ConditionalCheckFailedException as exc:
            raise ConditionFailed(str(exc), _old_item(_response_item(exc.response))) from exc

    def update(
        self, key: Mapping[str, Any], update: Condition, *, condition: Condition | None = None
    ) -> Item:
        try:
            response = self.client.update_item(
                TableName=self.name,
                Key=to_dynamo(key),
                ReturnValues="ALL_NEW",
                **_merge(("UpdateExpression", update), ("ConditionExpression", condition)),
            )
        except self.client.exceptions.ConditionalCheckFailedException as exc:
            raise ConditionFailed(str(exc), _old_item(_response_item(exc.response))) from exc
        return from_dynamo(response["Attributes"])

    def delete(self, key: Mapping[str, Any], *, condition: Condition | None = None) -> None:
        """Remove the item at `key` (deleting a missing item is not an error unless `condition` says so)."""
        try:
            self.client.delete_item(
                TableName=self.name, Key=to_dynamo(key), **_merge(("ConditionExpression", condition))
            )
        except self.client.exceptions.ConditionalCheckFailedException as exc:
            raise ConditionFailed(str(exc), _old_item(_response_item(exc.response))) from exc

    def query(
        self,
        key_condition: Condition,
        *,
        index: str | None = None,
        limit: int | None = None,
        start_key: Mapping[str, Any] | None = None,
        newest_first: bool = False,
    ) -> Page:
        """One page of the items matching `key_condition`, in sort key order (reversed: newest_first)."""
        params: dict[str, Any] = {"TableName": self.name, **_merge(("KeyConditionExpression", key_condition))}
        if index:
            params["IndexName"] = index
        if newest_first:
            params["ScanIndexForward"] = False
        return self._page(self.client.query, params, limit, start_key)

    def scan(self, *, limit: int | None = None, start_key: Mapping[str, Any] | None = None) -> Page:
        return self._page(self.client.scan, {"TableName": self.name}, limit, start_key)

    def _page(
        self, call: Any, params: dict[str, Any], limit: int | None, start: Mapping[str, Any] | None
    ) -> Page:
        if limit:
            params["Limit"] = limit
        if start:
            params["ExclusiveStartKey"] = to_dynamo(start)
        response = call(**params)
        last = response.get("LastEvaluatedKey")
        return Page([from_dynamo(i) for i in response.get("Items", [])], from_dynamo(last) if last else None)

    # Transaction building blocks: each returns one TransactItems entry for `transact`.
    def put_op(self, item: Mapping[str, Any], *, condition: Condition | None = None) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.name,
                "Item": to_dynamo(item),
                **_merge(("ConditionExpression", condition)),
            }
        }

    def update_op(
        self, key: Mapping[str, Any], update: Condition, *, condition: Condition | None = None
    ) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self.name,
                "Key": to_dynamo(key),
                **_merge(("UpdateExpression", update), ("ConditionExpression", condition)),
            }
        }

    def check_op(self, key: Mapping[str, Any], condition: Condition) -> dict[str, Any]:
        return {
            "ConditionCheck": {
                "TableName": self.name,
                "Key": to_dynamo(key),
                **_merge(("ConditionExpression", condition)),
            }
        }


def transact(
    operations: Sequence[dict[str, Any]], *, token: str | None = None, client: DynamoDBClient | None = None
) -> None:
    """All operations or none (at most 100). `token` makes a retry within 10 minutes a no-op."""
    client = client or aws.client("dynamodb")
    params: dict[str, Any] = {"TransactItems": list(operations)}
    if token:
        params["ClientRequestToken"] = token
    try:
        client.transact_write_items(**params)
    except client.exceptions.TransactionCanceledException as exc:
        cancelled = exc.response.get("CancellationReasons", [])
        reasons = [r.get("Code", "None") for r in cancelled]
        raise TransactionCanceled(reasons, [_old_item(r.get("Item")) for r in cancelled]) from exc
