"""SnapStart runtime hooks: what is warmed into the snapshot, and what each restored copy renews.

With SnapStart, Lambda runs init once per published version, snapshots the memory, and starts new
execution environments from that snapshot. So:
- before the snapshot, do once what is safe to share: a first request through the app (route and
  response-model compilation, the lifespan start-up, FastAPI's first-call paths) and boto3's import
  (about 100 ms that a restored copy would otherwise pay on its first AWS call);
- after each restore, renew what must not be shared between copies: `random`'s state (every copy
  would draw the same numbers; uuid4 and `secrets` read the OS and need nothing), the AWS clients
  (connection pools holding sockets opened before the snapshot, credentials of the snapshot's time).

The hooks register through `snapshot_restore_py`, which the Lambda python runtime provides. Where it
is absent (tests, uvicorn, a runtime without it) nothing calls them, and nothing else changes.
"""

from __future__ import annotations

import importlib
import random
import sys
from collections.abc import Callable
from typing import Any

Hook = Callable[..., Any]

try:
    from snapshot_restore_py import register_after_restore, register_before_snapshot
except ImportError:  # not in a Lambda python runtime: keep the hooks uncalled

    def register_before_snapshot(func: Hook, *args: Any, **kwargs: Any) -> Hook:
        return func

    def register_after_restore(func: Hook, *args: Any, **kwargs: Any) -> Hook:
        return func


WARM_PATH = "/health"


def warm_event(path: str = WARM_PATH) -> dict[str, Any]:
    """The smallest API Gateway REST (v1) proxy event Mangum accepts: `GET path`, no stage prefix."""
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": "GET",
        "headers": {"Accept": "application/json"},
        "multiValueHeaders": {"Accept": ["application/json"]},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {"stage": "snapshot", "path": path, "requestId": "snapstart-warm-up"},
        "body": None,
        "isBase64Encoded": False,
    }


def before_snapshot(handler: Callable[[dict[str, Any], Any], dict[str, Any]], path: str = WARM_PATH) -> None:
    """Serve `GET path` once and import boto3, so the snapshot holds a warmed app.

    Raises RuntimeError when the app does not answer 200: a snapshot of a broken app must not publish.
    """
    import boto3  # noqa: F401  (the import is the point: it lands in the snapshot)

    status = handler(warm_event(path), None)["statusCode"]
    if status != 200:
        raise RuntimeError(f"SnapStart warm-up: GET {path} answered {status}, not 200")


def after_restore() -> None:
    """Renew what a restored copy must not share with the others: random state and AWS clients."""
    random.seed()  # from os.urandom: each copy its own sequence
    aws = sys.modules.get("foyer.aws")
    if aws is not None:  # clients are made again on first use, with fresh pools and credentials
        aws.reset()


def import_before_snapshot(*modules: str) -> None:
    """Have the snapshot hold `modules`, which the app imports on first use rather than at init (where
    every cold start without SnapStart would pay them, needed or not)."""
    for module in modules:
        register_before_snapshot(importlib.import_module, module)


def register(handler: Callable[[dict[str, Any], Any], dict[str, Any]], path: str = WARM_PATH) -> None:
    """Have the Lambda runtime warm `handler` before the snapshot and renew state after each restore."""
    register_before_snapshot(before_snapshot, handler, path)
    register_after_restore(after_restore)
