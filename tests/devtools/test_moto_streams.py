"""devtools.devstack.moto_streams: the emulator's streams keep their records, and a write ends a wait."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from devtools.devstack.emulator import Emulator
from devtools.devstack.stream_wait import WAIT_PATH, wait_for_records

pytestmark = pytest.mark.integration

LONG_WAIT_S = 20.0  # the longest wait: a wait that ends sooner was ended by the write


def streamed_table(aws_client: Callable[[str], Any]) -> tuple[str, str]:
    """A new table with a stream: (name, stream ARN)."""
    name = f"t-{uuid.uuid4().hex[:10]}"
    created = aws_client("dynamodb").create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return name, created["TableDescription"]["LatestStreamArn"]


def put(aws_client: Callable[[str], Any], table: str, key: str) -> None:
    aws_client("dynamodb").put_item(TableName=table, Item={"pk": {"S": key}})


def test_a_disabled_mapping_leaves_the_stream_its_records(
    aws_client: Callable[[str], Any], lambda_function: Callable[..., None]
) -> None:
    table, stream_arn = streamed_table(aws_client)
    function = f"t-{uuid.uuid4().hex[:10]}"
    lambda_function(function, "placeholder.handler")
    aws_client("lambda").create_event_source_mapping(
        EventSourceArn=stream_arn, FunctionName=function, StartingPosition="LATEST", Enabled=False
    )

    put(aws_client, table, "a")
    put(aws_client, table, "b")

    streams = aws_client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    start = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=start["ShardIterator"])["Records"]
    assert [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records] == [
        ("INSERT", "a"),
        ("INSERT", "b"),
    ]


def test_a_write_ends_a_wait_on_its_table_with_the_grown_count(
    emulator: Emulator, aws_client: Callable[[str], Any]
) -> None:
    table, _ = streamed_table(aws_client)
    other, _ = streamed_table(aws_client)
    with httpx.Client() as client:
        seen = wait_for_records(emulator.endpoint, [table, other], {}, 0, client=client)
        assert seen == {table: 0, other: 0}
        answers: list[dict[str, int]] = []
        waiting = threading.Thread(
            target=lambda: answers.append(
                wait_for_records(emulator.endpoint, [table, other], seen, LONG_WAIT_S, client=client)
            )
        )
        waiting.start()
        put(aws_client, table, "a")  # before or during the wait: either way it ends the wait
        waiting.join(LONG_WAIT_S + 10)
    assert answers == [{table: 1, other: 0}]


def test_a_wait_without_a_write_answers_the_same_counts_after_its_timeout(
    emulator: Emulator, aws_client: Callable[[str], Any]
) -> None:
    table, _ = streamed_table(aws_client)
    put(aws_client, table, "a")
    with httpx.Client() as client:
        assert wait_for_records(emulator.endpoint, [table], {table: 1}, 0.05, client=client) == {table: 1}
        assert wait_for_records(emulator.endpoint, [table], {}, LONG_WAIT_S, client=client) == {table: 1}


def test_a_wait_with_a_bad_number_is_a_400_problem(emulator: Emulator) -> None:
    answer = httpx.get(f"{emulator.endpoint}{WAIT_PATH}", params={"table": "t", "after": "x"}, timeout=10)
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == 400


def test_a_reader_keeps_reading_after_a_cancelled_transaction_which_leaves_no_record(
    aws_client: Callable[[str], Any],
) -> None:
    table, stream_arn = streamed_table(aws_client)
    streams, dynamodb = aws_client("dynamodbstreams"), aws_client("dynamodb")
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    start = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard, ShardIteratorType="LATEST")
    put(aws_client, table, "before")
    first = streams.get_records(ShardIterator=start["ShardIterator"])
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": "cancelled"}}}},
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": {"pk": {"S": "missing"}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    put(aws_client, table, "after")
    then = streams.get_records(ShardIterator=first["NextShardIterator"])["Records"]
    keys = [r["dynamodb"]["Keys"]["pk"]["S"] for r in first["Records"] + then]
    assert keys == ["before", "after"]
