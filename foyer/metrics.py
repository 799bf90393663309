"""CloudWatch metrics in embedded metric format (EMF): one JSON line on stdout per data point.

Lambda ships stdout to CloudWatch Logs, which extracts EMF lines into metrics without an API call.
"""

from __future__ import annotations

import json
import sys
import time

NAMESPACE = "Foyer"
_dimensions: dict[str, str] = {"service": "unknown"}


def configure(**dimensions: str) -> None:
    """The dimensions every data point of this process carries (create_app sets `service`)."""
    _dimensions.update(dimensions)


def emit(name: str, value: float = 1, unit: str = "Count", **dimensions: str) -> None:
    dims = {**_dimensions, **dimensions}
    record = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": [sorted(dims)],
                    "Metrics": [{"Name": name, "Unit": unit}],
                }
            ],
        },
        name: value,
        **dims,
    }
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()
