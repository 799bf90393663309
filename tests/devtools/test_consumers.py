"""`python -m devtools.devstack.consumers FUNCTION` as the local stack will start it, against the emulator.

The function exists in the emulator as Terraform would create it (handler, timeout, environment, a
disabled SQS mapping); its handler module lives in a temporary directory on PYTHONPATH and writes
what it received to the file its environment names.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from devtools.devstack.consumers import delivery_fault, load_handler, mapped_functions, receive_visibility

pytestmark = pytest.mark.integration

PATIENCE = 20.0
HANDLER = """
import json, os, pathlib

def handler(event, context):
    with pathlib.Path(os.environ["CONSUMER_OUT"]).open("a") as out:
        for record in event["Records"]:
            seen = {"body": record["body"], "greeting": os.environ["GREETING"]}
            out.write(json.dumps(seen | {"function": context.function_name}) + "\\n")
    return {"batchItemFailures": []}
"""


def runner_env(emulator: Any, tmp_path: Path) -> dict[str, str]:
    """The environment the local stack gives a runner: the emulator's endpoint, no stack file."""
    return {
        **os.environ,
        "AWS_ENDPOINT_URL": emulator.endpoint,
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "FOYER_STACK_FILE": str(tmp_path / "no-stack.json"),
    }


def test_the_runner_serves_a_functions_mapping_with_its_environment(
    tmp_path: Path, emulator: Any, aws_client: Any, lambda_function: Any, sqs: Any, queue_with_dlq: Any
) -> None:
    module = f"consumer_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{module}.py").write_text(HANDLER)
    out = tmp_path / "seen.jsonl"
    name = f"fn-{uuid.uuid4().hex[:8]}"
    lambda_function(
        name, f"{module}.handler", Environment={"Variables": {"CONSUMER_OUT": str(out), "GREETING": "hello"}}
    )
    queues = queue_with_dlq()
    aws_client("lambda").create_event_source_mapping(
        EventSourceArn=queues.source.arn, FunctionName=name, Enabled=False, BatchSize=10
    )
    env = runner_env(emulator, tmp_path) | {"PYTHONPATH": str(tmp_path)}
    runner = subprocess.Popen(
        [sys.executable, "-m", "devtools.devstack.consumers", name],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for body in ("first", "second"):
            sqs.send_message(QueueUrl=queues.source.url, MessageBody=body)
        deadline = time.monotonic() + PATIENCE
        while len(out.read_text().splitlines() if out.exists() else []) < 2:
            assert runner.poll() is None, runner.communicate()[0].decode()
            assert time.monotonic() < deadline, "the runner never delivered both messages"
            time.sleep(0.1)
        runner.send_signal(signal.SIGINT)
        code = runner.wait(timeout=PATIENCE)
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
    assert name in mapped_functions(aws_client("lambda"))
    seen = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(s["body"] for s in seen) == ["first", "second"]
    assert {(s["greeting"], s["function"]) for s in seen} == {("hello", name)}
    assert code == 0
    assert queues.source.depth(sqs) == (0, 0)


def test_a_function_without_sqs_mappings_is_an_error(
    emulator: Any, aws_client: Any, lambda_function: Any, tmp_path: Path
) -> None:
    name = f"fn-{uuid.uuid4().hex[:8]}"
    lambda_function(name, "json.dumps")
    env = runner_env(emulator, tmp_path)
    finished = subprocess.run(
        [sys.executable, "-m", "devtools.devstack.consumers", name],
        env=env,
        capture_output=True,
        timeout=PATIENCE,
    )
    assert finished.returncode == 1
    assert b"has no SQS event source mapping" in finished.stdout + finished.stderr
    assert name not in mapped_functions(aws_client("lambda"))


def test_load_handler_names_module_and_function() -> None:
    assert load_handler("json.dumps") is json.dumps
    with pytest.raises(ValueError, match=r"module\.function"):
        load_handler("handler")


def test_the_delivery_fault_is_off_unless_asked_for_and_a_typo_is_refused() -> None:
    assert delivery_fault("") is False
    assert delivery_fault("twice-shuffled") is True
    with pytest.raises(ValueError, match="FOYER_SQS_DELIVERY"):
        delivery_fault("twice_shuffled")


def test_the_receive_visibility_is_the_queue_s_unless_asked_for_and_a_typo_is_refused() -> None:
    assert receive_visibility("") is None
    assert receive_visibility("3") == 3
    for wrong in ("0", "-1", "2.5", "3s", "43201"):
        with pytest.raises(ValueError, match="FOYER_SQS_VISIBILITY_S"):
            receive_visibility(wrong)
