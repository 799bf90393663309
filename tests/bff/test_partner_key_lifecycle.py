"""Partner keys issued, rotated and revoked with devtools.cli.partner_keys against the session's stack, and
checked where the local stack checks keys: the partner BFF under uvicorn (its own key check and meter)
and the local gateway in front of the BFF's real Lambda handler. Both modes share one meter per key,
as API Gateway has one: requests split between them are refused once the plan is spent."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from devtools.cli.partner_keys import PartnerKeys
from devtools.cli.partner_keys import main as partner_keys_main
from devtools.devstack.gateway import Gateway, build
from devtools.devstack.stack import LocalStack
from foyer import aws
from foyer.identity.dependencies import (
    current_partner,
    get_partner_keys,
    get_partners,
    get_usage_meter,
    identity_settings,
)
from foyer.identity.partners import NEW_KEY_BOUND_S, REVOCATION_BOUND_S
from tests.bff.conftest import APPS, Wiring

pytestmark = pytest.mark.integration
CACHED = (identity_settings, get_partners, get_partner_keys, get_usage_meter)


@dataclass
class Modes:
    """The partner BFF as `make dev` serves it twice: under uvicorn, and behind the local gateway."""

    uvicorn: TestClient
    gateway: Gateway

    def uvicorn_status(self, key: str) -> int:
        return self.uvicorn.get("/v1/products?limit=1", headers={"x-api-key": key}).status_code

    def gateway_status(self, key: str) -> int:
        headers = {"x-api-key": key}
        return self.gateway.serve("GET", "/local/v1/products?limit=1", headers, b"", "127.0.0.1")[0]

    def statuses(self, key: str) -> tuple[int, int]:
        return self.uvicorn_status(key), self.gateway_status(key)


@pytest.fixture
def modes(stack: LocalStack, bffs: Wiring) -> Iterator[Modes]:
    app = APPS["partner"]
    app.dependency_overrides.pop(current_partner)  # the real key check, in both of its branches
    for dependency in CACHED:
        dependency.cache_clear()  # the stack file's configuration, not an earlier test's
    yield Modes(TestClient(app), build(stack, "partner"))
    for dependency in CACHED:
        dependency.cache_clear()


@pytest.fixture
def keys(stack: LocalStack) -> PartnerKeys:
    return PartnerKeys.of(stack.tables["partner"].removesuffix("-partner"))


def _secret(keys: PartnerKeys, partner: str) -> dict[str, Any]:
    value = aws.client("secretsmanager").get_secret_value(SecretId=keys.secret_name(partner))
    content: dict[str, Any] = json.loads(value["SecretString"])
    return content


def test_a_key_issued_rotated_and_revoked_works_and_stops_in_both_modes(
    modes: Modes, keys: PartnerKeys
) -> None:
    partner = f"lifecycle-{uuid.uuid4().hex[:8]}"
    first = keys.issue(partner, "gold")
    time.sleep(NEW_KEY_BOUND_S)
    assert _secret(keys, partner) == {
        "partner_id": partner,
        "tier": "gold",
        "api_key_id": first.key_id,
        "api_key": first.value,
    }
    assert modes.statuses(first.value) == (200, 200)

    second, replaced = keys.rotate(partner)
    time.sleep(NEW_KEY_BOUND_S)
    assert [old.key_id for old in replaced] == [first.key_id]
    assert _secret(keys, partner)["api_key"] == second.value  # the hand-over copy is the newest key
    assert modes.statuses(first.value) == (200, 200)  # the overlap: both keys work until one is revoked
    assert modes.statuses(second.value) == (200, 200)

    keys.revoke(first.key_id)
    time.sleep(REVOCATION_BOUND_S)
    assert modes.statuses(first.value) == (403, 403)
    assert modes.statuses(second.value) == (200, 200)
    assert [info.key_id for info in keys.keys(partner)] == [second.key_id]

    keys.revoke(second.key_id)
    time.sleep(REVOCATION_BOUND_S)
    assert modes.statuses(second.value) == (403, 403)
    assert keys.keys(partner) == []
    with pytest.raises(aws.client("secretsmanager").exceptions.ResourceNotFoundException):
        _secret(keys, partner)  # nothing left to hand over


def test_a_key_disabled_in_the_emulator_stops_working_in_both_modes_within_the_bound(
    modes: Modes, keys: PartnerKeys
) -> None:
    issued = keys.issue(f"disabled-{uuid.uuid4().hex[:8]}", "gold")
    time.sleep(NEW_KEY_BOUND_S)
    assert modes.statuses(issued.value) == (200, 200)
    aws.client("apigateway").update_api_key(
        apiKey=issued.key_id, patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}]
    )
    time.sleep(REVOCATION_BOUND_S)
    assert modes.statuses(issued.value) == (403, 403)


@pytest.mark.parametrize(
    ("limits", "refusal"),
    [
        # A bucket of 4 that takes 1000 s to refill one token: the rate is spent after 4 requests.
        ({"throttle": {"rateLimit": 0.001, "burstLimit": 4}}, "rate"),
        (
            {"throttle": {"rateLimit": 100, "burstLimit": 100}, "quota": {"limit": 4, "period": "DAY"}},
            "quota",
        ),
    ],
)
def test_requests_split_across_both_modes_draw_on_one_meter(
    stack: LocalStack, modes: Modes, keys: PartnerKeys, limits: dict[str, Any], refusal: str
) -> None:
    tier = f"tight{uuid.uuid4().hex[:6]}"
    api = stack.apis["partner"]
    aws.client("apigateway").create_usage_plan(
        name=f"{keys.prefix}-partner-{tier}", apiStages=[{"apiId": api.id, "stage": api.stage}], **limits
    )
    value = keys.issue(f"split-{uuid.uuid4().hex[:8]}", tier).value
    time.sleep(NEW_KEY_BOUND_S)
    split = [mode(value) for mode in (modes.uvicorn_status, modes.gateway_status) for _ in range(2)]
    assert split == [200, 200, 200, 200]  # the plan's 4 requests, half through each mode
    answer = modes.uvicorn.get("/v1/products?limit=1", headers={"x-api-key": value})
    assert (answer.status_code, answer.json().get("limit")) == (429, refusal), answer.text
    assert modes.gateway_status(value) == 429


def test_the_command_line_issues_lists_and_revokes_without_printing_the_value(
    stack: LocalStack, keys: PartnerKeys, capsys: pytest.CaptureFixture[str]
) -> None:
    partner = f"cli-{uuid.uuid4().hex[:8]}"
    assert partner_keys_main(["issue", partner, "--tier", "bronze"], keys=keys) == 0
    issued = capsys.readouterr().out
    value = _secret(keys, partner)["api_key"]
    assert value not in issued
    assert keys.secret_name(partner) in issued
    assert partner_keys_main(["list", partner], keys=keys) == 0
    listed = capsys.readouterr().out
    key_id = _secret(keys, partner)["api_key_id"]
    assert key_id in listed
    assert value not in listed
    assert partner_keys_main(["issue", partner, "--tier", "platinum"], keys=keys) == 1
    assert "no usage plan" in capsys.readouterr().err
    assert partner_keys_main(["revoke", key_id], keys=keys) == 0
    assert partner_keys_main(["revoke", key_id], keys=keys) == 1
