"""`python -m devtools.cli.dlq` (and devtools.cli.dead_letters) against the real emulator.

Messages reach a DLQ the way they do in production: the queue's redrive policy moves them after
`maxReceiveCount` receives. The emulator lacks StartMessageMoveTask, so `redrive` there exercises the
receive-send-delete fallback; the move-task path is checked with botocore's Stubber on a real client.
"""

from __future__ import annotations

import io
import json
import time
import uuid
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from rich.console import Console

from devtools.cli import dead_letters
from devtools.cli.dlq import BODY_MAX, main

pytestmark = pytest.mark.integration

PATIENCE = 15.0


def run(sqs: Any, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), sqs=sqs, console=Console(file=out, width=200, color_system=None))
    return code, out.getvalue()


def dead_letter(sqs: Any, queues: Any, *bodies: str, attributes: dict[str, Any] | None = None) -> None:
    """Sends `bodies` to the source queue and receives them until its redrive policy dead-letters them."""
    for body in bodies:
        sqs.send_message(QueueUrl=queues.source.url, MessageBody=body, MessageAttributes=attributes or {})
    deadline = time.monotonic() + PATIENCE
    while queues.dlq.depth(sqs)[0] < len(bodies):
        assert time.monotonic() < deadline, "messages never reached the DLQ"
        sqs.receive_message(QueueUrl=queues.source.url, MaxNumberOfMessages=10, WaitTimeSeconds=1)


def test_list_counts_each_dlq_and_names_its_sources(sqs: Any, queue_with_dlq: Any) -> None:
    queues = queue_with_dlq(max_receive_count=1, dlq_suffix="-dead")  # found by the redrive policy
    dead_letter(sqs, queues, "one", "two")
    suffixed = f"orphan-{uuid.uuid4().hex[:8]}-dlq"  # found by its name alone
    sqs.create_queue(QueueName=suffixed)
    code, out = run(sqs, "list")
    assert code == 0
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 3}
    assert [cell.strip() for cell in rows[queues.dlq.name].split("│")[2:5]] == ["2", "0", queues.source.name]
    assert [cell.strip() for cell in rows[suffixed].split("│")[2:5]] == ["0", "0", "-"]
    assert queues.source.name not in rows


def test_show_prints_bodies_and_attributes_and_leaves_the_messages(sqs: Any, queue_with_dlq: Any) -> None:
    queues = queue_with_dlq(max_receive_count=1)
    correlation = {"correlation_id": {"DataType": "String", "StringValue": "corr-123"}}
    dead_letter(
        sqs,
        queues,
        json.dumps({"type": "OrderPlaced", "order_id": "o-1"}),
        "plain text",
        attributes=correlation,
    )
    code, out = run(sqs, "show", queues.dlq.name)
    assert code == 0
    assert '"type": "OrderPlaced"' in out  # JSON bodies are pretty-printed
    assert "plain text" in out
    assert out.count("corr-123") == 2
    assert queues.dlq.depth(sqs) == (2, 0)  # released at once: nothing hidden, nothing removed


def test_show_is_bounded(sqs: Any, queue_with_dlq: Any) -> None:
    queues = queue_with_dlq(max_receive_count=1)
    dead_letter(sqs, queues, *(f"m{n}" for n in range(5)))
    code, out = run(sqs, "show", queues.dlq.url, "--max", "2")
    assert code == 0
    assert sum(f"m{n}" in out for n in range(5)) == 2


def test_show_cuts_long_bodies(sqs: Any, queue_with_dlq: Any) -> None:
    queues = queue_with_dlq(max_receive_count=1)
    dead_letter(sqs, queues, "y" * (BODY_MAX + 1234))
    code, out = run(sqs, "show", queues.dlq.name)
    assert code == 0
    assert out.count("y") == BODY_MAX
    assert "... 1234 more characters" in out


def test_redrive_moves_every_message_back_with_its_attributes(sqs: Any, queue_with_dlq: Any) -> None:
    queues = queue_with_dlq(max_receive_count=1)
    attributes = {
        "correlation_id": {"DataType": "String", "StringValue": "corr-9"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
    }
    bodies = [f"order-{n}" for n in range(13)]  # more than one batch of 10
    dead_letter(sqs, queues, *bodies, attributes=attributes)
    code, out = run(sqs, "redrive", queues.dlq.arn)
    assert code == 0, out
    assert "StartMessageMoveTask is not available" in out
    assert "moved 13 by receive-send-delete" in out
    assert queues.dlq.depth(sqs) == (0, 0)
    back = drain(sqs, queues.source.url)
    assert sorted(m["Body"] for m in back) == sorted(bodies)
    for message in back:
        assert message["MessageAttributes"]["correlation_id"]["StringValue"] == "corr-9"
        assert message["MessageAttributes"]["blob"]["BinaryValue"] == b"\x00\x01"


def test_redrive_to_another_queue_and_at_most_max(sqs: Any, queue_with_dlq: Any) -> None:
    queues = queue_with_dlq(max_receive_count=1)
    dead_letter(sqs, queues, "a", "b", "c")
    other = sqs.create_queue(QueueName=f"other-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    code, out = run(sqs, "redrive", queues.dlq.name, "--to", other, "--max", "2")
    assert code == 0, out
    assert queues.dlq.depth(sqs) == (1, 0)
    assert len(drain(sqs, other)) == 2


def test_a_message_that_cannot_be_sent_stays_in_the_dlq(sqs: Any, queue_with_dlq: Any) -> None:
    queues = queue_with_dlq(max_receive_count=1)
    dead_letter(sqs, queues, "x")
    gone = sqs.create_queue(QueueName=f"gone-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    destination = dead_letters.resolve_queue(sqs, gone)
    sqs.delete_queue(QueueUrl=gone)
    with pytest.raises(ClientError):
        dead_letters.redrive(sqs, dead_letters.resolve_queue(sqs, queues.dlq.url), destination)
    assert queues.dlq.depth(sqs) == (0, 1)  # still there, hidden until its visibility timeout ends


def test_an_unknown_queue_is_an_error(sqs: Any) -> None:
    code, out = run(sqs, "show", f"missing-{uuid.uuid4().hex[:8]}")
    assert code == 1
    assert "no queue named" in out


def test_redrive_uses_the_move_task_where_the_endpoint_has_it(aws_sqs: Any) -> None:
    client, dlq = aws_sqs, AWS_DLQ
    with Stubber(client) as stub:
        stub.add_response("start_message_move_task", {"TaskHandle": "handle-1"}, {"SourceArn": dlq.arn})
        stub.add_response(
            "list_message_move_tasks",
            {"Results": [{"Status": "COMPLETED", "ApproximateNumberOfMessagesMoved": 4}]},
            {"SourceArn": dlq.arn, "MaxResults": 1},
        )
        stub.add_response(
            "get_queue_attributes",
            {"Attributes": {"ApproximateNumberOfMessages": "0"}},
            {"QueueUrl": dlq.url, "AttributeNames": ["ApproximateNumberOfMessages"]},
        )
        result = dead_letters.redrive(client, dlq)
        stub.assert_no_pending_responses()
    assert (result.method, result.moved, result.task_status, result.left) == ("move-task", 4, "COMPLETED", 0)


def test_a_refused_move_task_is_not_taken_for_a_missing_one(aws_sqs: Any) -> None:
    client, dlq = aws_sqs, AWS_DLQ
    with Stubber(client) as stub:
        stub.add_client_error("start_message_move_task", "AccessDenied", http_status_code=403)
        with pytest.raises(ClientError, match="AccessDenied"):
            dead_letters.redrive(client, dlq)


AWS_DLQ = dead_letters.Queue(
    "q-dlq", "https://sqs.eu-west-1.amazonaws.com/1/q-dlq", "arn:aws:sqs:eu-west-1:1:q-dlq"
)


@pytest.fixture
def aws_sqs() -> Any:
    """A client for SQS in AWS, which Stubber answers: the requests never leave the process."""
    return boto3.client(
        "sqs", region_name="eu-west-1", aws_access_key_id="test", aws_secret_access_key="test"
    )


def drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return found
        found.extend(messages)
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )


def test_no_stack_and_no_account_is_one_line_not_a_traceback(tmp_path: Any) -> None:
    """Without `.local/stack.json` or AWS configuration the command says so and exits 2."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FOYER_"))}
    env.update(
        FOYER_STACK_FILE=str(tmp_path / "none.json"),
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
        AWS_EC2_METADATA_DISABLED="true",
        # Nothing may leave the machine even if a credential were found somewhere.
        HTTPS_PROXY="http://127.0.0.1:9",
        HTTP_PROXY="http://127.0.0.1:9",
    )
    done = subprocess.run(
        [sys.executable, "-m", "devtools.cli.dlq", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "make dev" in done.stdout
