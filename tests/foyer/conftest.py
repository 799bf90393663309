"""A service-shaped DynamoDB table for the platform's own integration tests (events, idempotency).

The shape is what foyer.events and foyer.idempotency need of a service table (docs/architecture.md):
`pk`, the sparse GSI `outbox` (`outbox_pending`, `outbox_at`), TTL on `expires_at`, a stream.
Each test gets its own table in the session's emulator, so tests share no items.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from foyer import aws
from foyer.devstack.stack import LocalStack
from foyer.dynamodb import Table
from foyer.events import outbox, processed


@pytest.fixture
def service_table(stack: LocalStack) -> Iterator[Table]:
    client = aws.client("dynamodb")
    name = f"platform-test-{uuid.uuid4().hex[:12]}"
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": outbox.PENDING_ATTRIBUTE, "AttributeType": "S"},
            {"AttributeName": outbox.ORDER_ATTRIBUTE, "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": outbox.INDEX,
                "KeySchema": [
                    {"AttributeName": outbox.PENDING_ATTRIBUTE, "KeyType": "HASH"},
                    {"AttributeName": outbox.ORDER_ATTRIBUTE, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    client.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": processed.TTL_ATTRIBUTE},
    )
    yield Table(name)
    client.delete_table(TableName=name)
