"""CachedSecret against Secrets Manager in the emulator: read through foyer.aws, cached for a TTL, masked."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from foyer import aws
from foyer.secrets import CachedSecret

pytestmark = pytest.mark.integration


@pytest.fixture
def secretsmanager(foyer_aws: None) -> Any:
    return aws.client("secretsmanager")


def create(sm: Any, value: str) -> str:
    arn: str = sm.create_secret(Name=f"test/secret-{uuid.uuid4().hex[:8]}", SecretString=value)["ARN"]
    return arn


def test_the_value_is_read_through_foyer_aws_by_arn_or_name(secretsmanager: Any) -> None:
    arn = create(secretsmanager, "first")
    name = secretsmanager.describe_secret(SecretId=arn)["Name"]
    assert CachedSecret(arn).value().get_secret_value() == "first"
    assert CachedSecret(name).value().get_secret_value() == "first"


def test_a_rotation_is_picked_up_once_the_ttl_has_passed(secretsmanager: Any, clock: Any) -> None:
    arn = create(secretsmanager, "first")
    secret = CachedSecret(arn, ttl_s=60, clock=clock)
    assert secret.value().get_secret_value() == "first"
    secretsmanager.put_secret_value(SecretId=arn, SecretString="second")
    clock.now += 59
    assert secret.value().get_secret_value() == "first"  # cached: no call to Secrets Manager
    clock.now += 1
    assert secret.value().get_secret_value() == "second"
    secretsmanager.put_secret_value(SecretId=arn, SecretString="third")
    clock.now += 30
    assert secret.value().get_secret_value() == "second"  # the TTL runs from the last read


def test_refresh_reads_now_and_restarts_the_ttl(secretsmanager: Any, clock: Any) -> None:
    arn = create(secretsmanager, "first")
    secret = CachedSecret(arn, ttl_s=60, clock=clock)
    secret.value()
    secretsmanager.put_secret_value(SecretId=arn, SecretString="second")
    assert secret.refresh().get_secret_value() == "second"
    secretsmanager.put_secret_value(SecretId=arn, SecretString="third")
    clock.now += 59
    assert secret.value().get_secret_value() == "second"


def test_the_value_prints_masked(secretsmanager: Any) -> None:
    secret = CachedSecret(create(secretsmanager, "sk_live_do_not_print"))
    value = secret.value()
    for text in (str(value), repr(value), f"{value}", repr(secret)):
        assert "sk_live_do_not_print" not in text


def test_a_binary_secret_is_refused_without_its_value(secretsmanager: Any) -> None:
    arn = secretsmanager.create_secret(
        Name=f"test/bin-{uuid.uuid4().hex[:8]}", SecretBinary=b"\x00raw-bytes"
    )["ARN"]
    with pytest.raises(ValueError, match="holds no string value") as refused:
        CachedSecret(arn).value()
    assert "raw-bytes" not in str(refused.value)


def test_a_missing_secret_is_an_error_not_a_cached_none(secretsmanager: Any) -> None:
    secret = CachedSecret("test/never-created")
    with pytest.raises(secretsmanager.exceptions.ResourceNotFoundException):
        secret.value()
    secretsmanager.create_secret(Name="test/never-created", SecretString="now it exists")
    try:
        assert secret.value().get_secret_value() == "now it exists"
    finally:
        secretsmanager.delete_secret(SecretId="test/never-created", ForceDeleteWithoutRecovery=True)
