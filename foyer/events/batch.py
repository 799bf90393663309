"""The records of the batch an event source mapping hands a function, or NotABatch for anything else."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from foyer.events.exceptions import NotABatch

log = logging.getLogger("foyer.events.batch")


def records(event: Any, source: str) -> list[Mapping[str, Any]]:
    """`event`'s `Records`, each from `source` (`aws:sqs`, `aws:dynamodb`). Anything else (an
    EventBridge event, a scheduled event, an SNS or S3 batch) is logged and raised as NotABatch: an
    invocation that acknowledged it would drop what it carries without a trace."""
    batch = event.get("Records") if isinstance(event, Mapping) else None
    if not isinstance(batch, list):
        shape = sorted(event)[:10] if isinstance(event, Mapping) else type(event).__name__
        raise _refused(f"not a batch from {source}: no Records list (event keys: {shape})")
    for index, record in enumerate(batch):
        found = record.get("eventSource") if isinstance(record, Mapping) else None
        if found != source:
            # SNS spells it EventSource; a record that is no mapping has none at all.
            if isinstance(record, Mapping):
                found = found or record.get("EventSource")
            raise _refused(f"record {index} is not from {source} (eventSource: {found!r})")
    return batch


def _refused(reason: str) -> NotABatch:
    log.error("event refused: not the batch this function is mapped to", extra={"reason": reason})
    return NotABatch(reason)
