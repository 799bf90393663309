"""The relay's Lambda entry point: one function per service table, fed by that table's stream.

Terraform sets `FOYER_SERVICE`, `TABLE_NAME`, `EVENT_BUS_NAME` (and `TABLE_SORT_KEY` for a table
with a sort key), and maps the stream with
`FunctionResponseTypes = ["ReportBatchItemFailures"]` and a filter on INSERT (the relay ignores other
records anyway). Locally the stack builds the same Relay with `relay()` and calls `drain`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import AliasChoices, Field

from foyer import logging
from foyer.dynamodb import Table
from foyer.events.outbox import Outbox
from foyer.events.relay import Relay
from foyer.settings import ServiceSettings
from foyer.startup import check_settings_in_lambda


class RelaySettings(ServiceSettings):
    """The table whose outbox is relayed (from ServiceSettings) and the bus it goes to."""

    event_bus_name: str = Field(validation_alias=AliasChoices("EVENT_BUS_NAME"))
    # The table's sort key attribute, when it has one (the outbox items then carry `outbox` there).
    table_sort_key: str | None = Field(None, validation_alias=AliasChoices("TABLE_SORT_KEY"))


@cache
def relay() -> Relay:
    """The process-wide relay of the configured table and bus, built on first use."""
    settings = RelaySettings()
    logging.setup(settings.service, settings.log_level)
    outbox = Outbox(Table(settings.table_name), sort_key=settings.table_sort_key)
    return Relay(outbox, settings.event_bus_name)


# In Lambda a missing setting fails the init, naming it, not the first stream batch (foyer.startup).
check_settings_in_lambda(RelaySettings)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Publish the outbox INSERTs of one stream batch; report the first failed record. Raises
    NotABatch (logged) for an event that is not a DynamoDB stream batch, so the invocation fails."""
    return relay().on_stream(event)
