"""JSON log lines on stdout, each carrying the service name and the current correlation id.

The standard library's logging with a small formatter: Powertools' Logger adds a visible share to a
FastAPI+Mangum cold start, and we need only the JSON shape CloudWatch Logs Insights reads.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from foyer import correlation

_RESERVED = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": correlation.get(),
        }
        # Structured fields passed with `extra=`.
        line.update({k: v for k, v in vars(record).items() if k not in _RESERVED})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def setup(service: str, level: str = "INFO") -> None:
    """Route every logger to one JSON handler on stdout (idempotent)."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    # The Lambda runtime pre-installs a plain handler; replace it so every line is JSON.
    root.handlers = [handler]
    root.setLevel(level)
