"""moto's server with DynamoDB requests served one at a time, and a `/moto-api/data.json` that answers.

moto's DynamoDB backend takes no lock: TransactWriteItems checks each condition and writes item by
item, and a cancelled transaction restores a deep copy of every table it touched, taken when it
started, erasing writes other requests made meanwhile. Under concurrent requests the emulator
therefore lets conditional transactions pass on stale state (overselling) and loses committed
writes (50 one-unit reservations racing for a stock of 20 would see more than 20 succeed). DynamoDB
isolates transactions; one lock around every DynamoDB action gives the emulator the same guarantee,
at a throughput local use never notices.

`/moto-api/data.json` (every model's public attributes: how tests read the e-mail SES "sent") reads
each attribute and skips those raising TypeError, AttributeError or ValueError. A Lambda function's
`docker_client` property raises DockerException where there is no Docker, so with any function
created (the local stack always has some) the whole page was a 500. While the page is built, that
property raises AttributeError, and is skipped like any other attribute that is not data; Lambda
invocations still reach Docker, and fail, as before.

A queue's `RedrivePolicy` comes back as `json.dumps` writes it (`{"deadLetterTargetArn": ...}`, with
blanks); AWS answers compact JSON. Terraform compares the strings, so every plan after the first
would want to "update" every queue with a DLQ (a whitespace-only change): it is answered compact.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from moto.dynamodb.responses import DynamoHandler
from moto.moto_api._internal.responses import MotoAPIResponse
from moto.sqs.models import Queue
from moto.utilities.docker_utilities import DockerModel

_lock = threading.RLock()
_call_action = DynamoHandler.call_action
_model_data = MotoAPIResponse.model_data
_docker_client: property = DockerModel.__dict__["docker_client"]
_dumping = threading.local()
_queue_attributes: property = Queue.__dict__["attributes"]


def _serialized_call_action(self: Any) -> Any:
    with _lock:
        return _call_action(self)


def _model_data_without_docker(self: Any, *args: Any, **kwargs: Any) -> Any:
    _dumping.active = True
    try:
        return _model_data(self, *args, **kwargs)
    finally:
        _dumping.active = False


def _docker_client_unless_dumping(self: Any) -> Any:
    if getattr(_dumping, "active", False):
        raise AttributeError("docker_client is not model data")
    return _docker_client.fget(self) if _docker_client.fget else None


def _queue_attributes_as_aws(self: Any) -> dict[str, Any]:
    attributes: dict[str, Any] = _queue_attributes.fget(self) if _queue_attributes.fget else {}
    if isinstance(attributes.get("RedrivePolicy"), str):  # None for a queue without a DLQ
        policy = json.loads(attributes["RedrivePolicy"])
        attributes["RedrivePolicy"] = json.dumps(policy, separators=(",", ":"))
    return attributes


def install() -> None:
    """Serialize every DynamoDB action of this process's moto backends, let data.json skip Docker
    clients, and answer redrive policies as AWS does (idempotent)."""
    DynamoHandler.call_action = _serialized_call_action  # type: ignore[method-assign]
    MotoAPIResponse.model_data = _model_data_without_docker  # type: ignore[method-assign]
    DockerModel.docker_client = property(_docker_client_unless_dumping)  # type: ignore[method-assign,assignment]
    Queue.attributes = property(_queue_attributes_as_aws)  # type: ignore[method-assign,assignment]


if __name__ == "__main__":
    from moto.server import main

    install()
    main()
