"""foyer.dynamodb against the emulator: an injected client, and failed writes that carry the winner."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from devtools.devstack.emulator import Emulator
from foyer.dynamodb import Condition, ConditionFailed, Table, TransactionCanceled, transact

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def dynamodb(emulator: Emulator) -> DynamoDBClient:
    # Not the process-wide client: a Table that ignored the one it was given would reach no table.
    return boto3.client(
        "dynamodb",
        endpoint_url=emulator.endpoint,
        region_name="eu-west-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


@pytest.fixture(scope="module")
def table(dynamodb: DynamoDBClient) -> Iterator[Table]:
    name = f"foyer-test-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    yield Table(name, client=dynamodb)
    dynamodb.delete_table(TableName=name)


def new_key() -> dict[str, Any]:
    return {"pk": uuid.uuid4().hex}


NEW_ONLY = Condition("attribute_not_exists(pk)")


def test_the_table_uses_the_client_it_was_given(table: Table, dynamodb: DynamoDBClient) -> None:
    assert table.client is dynamodb
    key = new_key()
    table.put({**key, "n": 1})
    assert table.get(key, consistent=True) == {**key, "n": 1}


def test_a_refused_put_carries_the_item_that_beat_it(table: Table) -> None:
    key = new_key()
    table.put({**key, "owner": "first", "tags": ["a"]}, condition=NEW_ONLY)
    with pytest.raises(ConditionFailed) as caught:
        table.put({**key, "owner": "second"}, condition=NEW_ONLY)
    assert caught.value.item == {**key, "owner": "first", "tags": ["a"]}


def test_a_refused_update_carries_the_current_item(table: Table) -> None:
    key = new_key()
    table.put({**key, "version": 3})
    bump = Condition("SET #v = #v + :one", {"#v": "version"}, {":one": 1, ":expected": 1})
    with pytest.raises(ConditionFailed) as caught:
        table.update(key, bump, condition=Condition("#v = :expected"))
    assert caught.value.item == {**key, "version": 3}


def test_a_refused_update_of_a_missing_item_carries_none(table: Table) -> None:
    key = new_key()
    bump = Condition("SET #v = :one", {"#v": "version"}, {":one": 1})
    with pytest.raises(ConditionFailed) as caught:
        table.update(key, bump, condition=Condition("attribute_exists(pk)"))
    assert caught.value.item is None


def test_a_cancelled_transaction_carries_each_failed_items_state(
    table: Table, dynamodb: DynamoDBClient
) -> None:
    taken, free = new_key(), new_key()
    table.put({**taken, "owner": "first"})
    with pytest.raises(TransactionCanceled) as caught:
        transact(
            [
                table.put_op({**free, "owner": "me"}, condition=NEW_ONLY),
                table.put_op(taken, condition=NEW_ONLY),
            ],
            client=dynamodb,
        )
    assert caught.value.reasons == ["None", "ConditionalCheckFailed"]
    assert caught.value.items == [None, {**taken, "owner": "first"}]
    assert table.get(free, consistent=True) is None
