"""Shared fixtures: one AWS emulator and one `terraform apply` of environments/local per test run, and
service-shaped tables for the code whose tables Terraform does not declare (yet)."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from devtools.devstack.emulator import Emulator
from devtools.devstack.stack import DIST, LocalStack, local_terraform, provision
from devtools.devstack.terraform import Terraform
from foyer import aws, settings
from foyer.dynamodb import Table
from foyer.events import Envelope, outbox, processed

# Per-test emulator resources (queues, functions, a clock) for the platform's and dev tooling's tests;
# pytester runs a suite of its own to check this file's collection hook (tests/test_conftest.py).
pytest_plugins = ["tests.emulator_resources", "pytester"]


# Fixtures that start the AWS emulator or a whole dev stack: a test that uses one (directly, or through
# `stack` and every fixture built on it) is an integration test, and `make test-unit` leaves it out.
INTEGRATION_FIXTURES = frozenset({"emulator", "devstack"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `integration` every test whose fixtures reach the emulator, whatever its module says."""
    for item in items:
        if INTEGRATION_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    log = tmp_path_factory.mktemp("emulator") / "moto.log"
    with Emulator(log_path=log) as running:
        yield running


@pytest.fixture(scope="session")
def stack_state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the session's Terraform state, data dir and stack file live."""
    return tmp_path_factory.mktemp("local-stack")


@pytest.fixture(scope="session")
def stack(emulator: Emulator, stack_state_dir: Path) -> Iterator[LocalStack]:
    """The local environment applied to the emulator; the process env points boto3 at it."""
    if not any(DIST.glob("*.zip")):
        pytest.fail("dist/ has no Lambda zips: run the suite with `make test` (it packages first)")
    applied = provision(emulator.endpoint, stack_state_dir)
    stack_file = applied.write(stack_state_dir / "stack.json")
    saved = dict(os.environ)
    os.environ.update({**applied.aws_env(), "FOYER_ENV": "local", "FOYER_STACK_FILE": str(stack_file)})
    _forget_cached_configuration()
    yield applied
    os.environ.clear()
    os.environ.update(saved)
    _forget_cached_configuration()


@pytest.fixture(scope="session")
def local_terraform_runner(stack: LocalStack, stack_state_dir: Path) -> Terraform:
    """The runner (and state) that applied the session's stack: plan or apply it again."""
    return local_terraform(stack_state_dir)


def _forget_cached_configuration() -> None:
    aws.reset()
    settings.platform.cache_clear()
    settings.read_stack_file.cache_clear()


EVENT_SHAPES = Path(__file__).parent / "foyer" / "events"


@pytest.fixture(scope="session")
def sqs_batch() -> Callable[..., dict[str, Any]]:
    """`sqs_batch(*bodies)`: the event Lambda passes a consumer for one SQS batch, in the documented
    shape (`sqs_standard_queue.json`), one record per body. An Envelope travels as the EventBridge
    event its rule delivers (`eventbridge_sqs_body.json`, the envelope as `detail`); a str as it is."""
    record = json.loads((EVENT_SHAPES / "sqs_standard_queue.json").read_text())["Records"][0]
    bridge = json.loads((EVENT_SHAPES / "eventbridge_sqs_body.json").read_text())

    def body_of(item: Envelope | str) -> str:
        if isinstance(item, str):
            return item
        event = copy.deepcopy(bridge)
        event.update(
            {
                "id": str(uuid.uuid4()),
                "detail-type": item.type,
                "source": item.source,
                "time": item.time.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "detail": item.model_dump(mode="json"),
            }
        )
        return json.dumps(event)

    def batch(*bodies: Envelope | str) -> dict[str, Any]:
        records = []
        for item in bodies:
            body = body_of(item)
            records.append(
                {
                    **copy.deepcopy(record),
                    "messageId": str(uuid.uuid4()),
                    "body": body,
                    "md5OfBody": hashlib.md5(body.encode()).hexdigest(),  # SQS checksums bodies with MD5
                    "messageAttributes": {},
                }
            )
        return {"Records": records}

    return batch


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]


# A GSI: its name -> (hash attribute, range attribute), both strings.
Indexes = Mapping[str, tuple[str, str]]


def _create_service_table(sort_key: str | None, indexes: Indexes) -> Table:
    """A table shaped as foyer.events and foyer.idempotency need a service table (docs/architecture.md):
    `pk` (and `sort_key`), the sparse GSI `outbox` (`outbox_pending`, `outbox_at`), a stream, TTL on
    `expires_at`; plus the service's own `indexes`."""
    client = aws.client("dynamodb")
    name = f"platform-test-{uuid.uuid4().hex[:12]}"
    keys = [("pk", "HASH")] + ([(sort_key, "RANGE")] if sort_key else [])
    every_index = {outbox.INDEX: (outbox.PENDING_ATTRIBUTE, outbox.ORDER_ATTRIBUTE), **indexes}
    attributes = dict.fromkeys([k for k, _ in keys] + [a for pair in every_index.values() for a in pair])
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": attribute, "KeyType": kind} for attribute, kind in keys],
        AttributeDefinitions=[{"AttributeName": attribute, "AttributeType": "S"} for attribute in attributes],
        GlobalSecondaryIndexes=[
            {
                "IndexName": index,
                "KeySchema": [
                    {"AttributeName": hash_key, "KeyType": "HASH"},
                    {"AttributeName": range_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index, (hash_key, range_key) in every_index.items()
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    client.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": processed.TTL_ATTRIBUTE},
    )
    return Table(name)


@pytest.fixture
def service_table(stack: LocalStack) -> Iterator[Table]:
    """A partition-key-only service table (as catalog's and inventory's)."""
    table = _create_service_table(None, {})
    yield table
    aws.client("dynamodb").delete_table(TableName=table.name)


@pytest.fixture
def sort_keyed_table(stack: LocalStack) -> Iterator[Table]:
    """A service table with the sort key `sk` (as terraform/modules/dynamodb_table/examples/orders)."""
    table = _create_service_table("sk", {})
    yield table
    aws.client("dynamodb").delete_table(TableName=table.name)


@pytest.fixture(scope="session")
def service_tables(stack: LocalStack) -> Iterator[Callable[[Indexes], Table]]:
    """`service_tables(indexes)`: a new partition-key-only service table with these extra GSIs, for
    fixtures wider than one test (every one is deleted at the end of the session)."""
    created: list[Table] = []

    def create(indexes: Indexes) -> Table:
        created.append(_create_service_table(None, indexes))
        return created[-1]

    yield create
    for table in created:
        aws.client("dynamodb").delete_table(TableName=table.name)
