"""`python -m devtools.cli.smoke`: each check passes on a healthy environment and fails, saying why, on a
broken one; the exit code says whether all passed.

AWS is the real emulator (queues, alarms, a function's configuration); the APIs are an in-process
httpx transport answering as a deployed stage does. The same script against the local stack in
Lambda mode, over real HTTP, is tests/e2e/test_smoke.py.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from rich.console import Console

from devtools.cli import smoke
from devtools.devstack.emulator import Emulator

pytestmark = pytest.mark.integration
ORIGIN = "https://shop.example.com"
KEY = "partner-test-key"

Handler = Callable[[httpx.Request], httpx.Response]


def healthy_stage(request: httpx.Request) -> httpx.Response:
    """The three APIs as a working deployment answers the smoke test."""
    path = request.url.path
    if path.endswith("/health"):
        if "partner" in request.url.host and request.headers.get("x-api-key") != KEY:
            return httpx.Response(403, json={"status": 403})
        return httpx.Response(200, json={"status": "ok", "service": request.url.host.split(".")[0]})
    if request.method == "OPTIONS" and path.endswith("/checkout"):
        if request.headers.get("origin") != ORIGIN:
            return httpx.Response(400, text="Disallowed CORS origin")
        headers = {"access-control-allow-origin": ORIGIN, "access-control-allow-methods": "GET, POST"}
        return httpx.Response(200, headers=headers)
    if request.headers.get("x-api-key") != KEY:
        return httpx.Response(403, json={"status": 403})
    if path.endswith("/v1/products"):
        return httpx.Response(200, json={"items": [{"sku": "COF-001"}], "next_cursor": None})
    if path.endswith("/v1/orders") and request.method == "POST":
        assert json.loads(request.content)["lines"] == [{"sku": "COF-001", "quantity": 1}]
        assert request.headers["idempotency-key"]
        return httpx.Response(201, json={"order_id": "ord-1", "status": "PENDING"})
    if path.endswith("/v1/orders/ord-1"):
        return httpx.Response(200, json={"order_id": "ord-1", "status": "CONFIRMED"})
    return httpx.Response(404)


def client(emulator: Emulator, service: str) -> Any:
    return boto3.client(  # type: ignore[call-overload]
        service,
        endpoint_url=emulator.endpoint,
        region_name="eu-west-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


@pytest.fixture
def target(emulator: Emulator) -> Iterator[smoke.Target]:
    """An environment of its own in the emulator: a web function admitting ORIGIN, a consumer's queue
    and its DLQ (empty), one alarm (OK)."""
    prefix = f"smoke{uuid.uuid4().hex[:8]}-"
    sqs = client(emulator, "sqs")
    dlq = sqs.create_queue(QueueName=f"{prefix}orders-saga-dlq")["QueueUrl"]
    cloudwatch = client(emulator, "cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName=f"{prefix}web-5xx",
        MetricName="5XXError",
        Namespace="AWS/ApiGateway",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    iam = client(emulator, "iam")
    role = iam.create_role(RoleName=f"{prefix}web", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lambda_client = client(emulator, "lambda")
    lambda_client.create_function(
        FunctionName=f"{prefix}web",
        Runtime="python3.12",
        Role=role,
        Handler="bff.web.handler.handler",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},  # an empty zip: never invoked
        Environment={"Variables": {"CORS_ORIGINS": f"{ORIGIN},https://admin.example.com"}},
    )
    yield smoke.Target(
        apis={
            name: f"https://{name}.execute-api.eu-west-1.amazonaws.com/v1"
            for name in ("web", "mobile", "partner")
        },
        name_prefix=prefix,
        web_function=f"{prefix}web",
        partner_key=KEY,
        region="eu-west-1",
        endpoint=emulator.endpoint,
        credentials={"aws_access_key_id": "test", "aws_secret_access_key": "test"},
    )
    sqs.delete_queue(QueueUrl=dlq)
    cloudwatch.delete_alarms(AlarmNames=[f"{prefix}web-5xx"])
    lambda_client.delete_function(FunctionName=f"{prefix}web")


def checked(target: smoke.Target, handler: Handler = healthy_stage) -> tuple[int, str, list[smoke.Result]]:
    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        results = smoke.run_checks(target, http=http)
    out = io.StringIO()
    code = smoke.report(results, Console(file=out, width=300, color_system=None))
    return code, out.getvalue(), results


def failed(results: list[smoke.Result]) -> dict[str, str]:
    return {result.check: result.detail for result in results if not result.passed}


def test_a_healthy_environment_passes_every_check(target: smoke.Target) -> None:
    code, printed, results = checked(target)
    assert failed(results) == {}
    assert [r.check for r in results] == [
        "health mobile",
        "health partner",
        "health web",
        "cors preflight web",
        "partner order",
        "dead letters",
        "alarms",
    ]
    assert code == 0, printed
    assert "PASS partner order: order ord-1 of COF-001 reached CONFIRMED" in printed
    assert f"all {len(results)} checks passed" in printed


def test_a_message_in_a_dead_letter_queue_fails_the_run(emulator: Emulator, target: smoke.Target) -> None:
    sqs = client(emulator, "sqs")
    url = sqs.get_queue_url(QueueName=f"{target.name_prefix}orders-saga-dlq")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="{}")
    code, printed, results = checked(target)
    assert set(failed(results)) == {"dead letters"}
    assert f"{target.name_prefix}orders-saga-dlq (1)" in failed(results)["dead letters"]
    assert code == 1
    assert "FAIL dead letters" in printed


def test_an_alarm_in_alarm_fails_the_run(emulator: Emulator, target: smoke.Target) -> None:
    client(emulator, "cloudwatch").set_alarm_state(
        AlarmName=f"{target.name_prefix}web-5xx", StateValue="ALARM", StateReason="smoke test"
    )
    code, _, results = checked(target)
    assert failed(results) == {"alarms": f"in ALARM: {target.name_prefix}web-5xx"}
    assert code == 1


def test_a_gateway_refusing_the_preflight_fails_it(target: smoke.Target) -> None:
    """API Gateway's answer to an OPTIONS under a TOKEN authorizer: 401 without CORS headers."""

    def authorizer_on_options(request: httpx.Request) -> httpx.Response:
        if request.method == "OPTIONS":
            return httpx.Response(401, json={"message": "Unauthorized"})
        return healthy_stage(request)

    code, _, results = checked(target, authorizer_on_options)
    assert set(failed(results)) == {"cors preflight web"}
    assert "-> 401" in failed(results)["cors preflight web"]
    assert code == 1


def test_a_web_function_admitting_no_origin_fails_the_preflight(
    emulator: Emulator, target: smoke.Target
) -> None:
    client(emulator, "lambda").update_function_configuration(
        FunctionName=f"{target.name_prefix}web", Environment={"Variables": {}}
    )
    _, _, results = checked(target)
    assert "CORS_ORIGINS is empty" in failed(results)["cors preflight web"]


def test_an_order_that_never_settles_fails_within_the_bound(target: smoke.Target) -> None:
    def stuck(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/v1/orders/ord-1"):
            return httpx.Response(200, json={"order_id": "ord-1", "status": "RESERVED"})
        return healthy_stage(request)

    ticks = iter(range(0, 1000, 60))
    with httpx.Client(transport=httpx.MockTransport(stuck)) as http, pytest.MonkeyPatch.context() as patch:
        patch.setattr(smoke, "POLL_S", 0)
        result = smoke.check_partner_order(http, target, None, timeout_s=120, clock=lambda: next(ticks))
    assert (result.passed, result.detail) == (False, "order ord-1 of COF-001 still RESERVED after 120 s")


def test_unhealthy_apis_and_a_missing_key_are_named(target: smoke.Target) -> None:
    keyless = smoke.Target(**{**target.__dict__, "partner_key": None})
    code, _, results = checked(
        keyless, lambda request: httpx.Response(502, json={"message": "Internal server error"})
    )
    reasons = failed(results)
    assert reasons["health web"].endswith('-> 502 {"message":"Internal server error"}')
    assert "no partner key" in reasons["partner order"]
    assert code == 1


def test_the_outputs_of_a_cloud_root_give_the_urls_names_and_region() -> None:
    outputs = {
        "platform": {
            "apis": {"web": {"invoke_url": "https://abc123.execute-api.eu-central-1.amazonaws.com/v1/"}},
            "functions": {
                "web": {"function_name": "foyer-dev-web"},
                "orders": {"function_name": "foyer-dev-orders"},
            },
        },
    }
    target = smoke.target_from_outputs(outputs, partner_key="k")
    assert target.apis == {"web": "https://abc123.execute-api.eu-central-1.amazonaws.com/v1"}
    assert (target.region, target.name_prefix, target.web_function, target.endpoint) == (
        "eu-central-1",
        "foyer-dev-",
        "foyer-dev-web",
        None,
    )


def test_a_missing_stack_file_exits_2_naming_it(tmp_path: Path) -> None:
    out = io.StringIO()
    code = smoke.main(["--stack-file", str(tmp_path / "stack.json")], console=Console(file=out, width=200))
    assert code == 2
    assert "make dev" in out.getvalue()


def test_an_unknown_environment_exits_2() -> None:
    out = io.StringIO()
    assert smoke.main(["--env", "nowhere"], console=Console(file=out, width=200)) == 2
    assert "terraform/environments/nowhere" in out.getvalue()


def test_the_smoke_partners_key_is_read_from_its_secret(emulator: Emulator, target: smoke.Target) -> None:
    """In the cloud the key comes from the secret devtools.cli.partner_keys keeps for partner `smoke`."""
    assert smoke.smoke_partner_key(target) is None
    secrets = client(emulator, "secretsmanager")
    name = f"{target.name_prefix.rstrip('-')}/partner-api-keys/{smoke.SMOKE_PARTNER}"
    secrets.create_secret(
        Name=name, SecretString=json.dumps({"api_key": "smoke-key-value", "tier": "bronze"})
    )
    try:
        assert smoke.smoke_partner_key(target) == "smoke-key-value"
    finally:
        secrets.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
