"""`python -m devtools.cli.dlq list|show|redrive` (what `make dlq ARGS=...` runs): drain dead-letter queues.

    list                     every DLQ with its depth and the queues that feed it
    show QUEUE [--max N]     up to N messages (default 10) with attributes and bodies; they stay put
    redrive QUEUE [--to Q]   move the messages back to the queue each came from (or to Q)

QUEUE is a name, URL or ARN. The endpoint is the one every Foyer tool uses: `AWS_ENDPOINT_URL` or
the local stack's `.local/stack.json` (so with `make dev` running it is the emulator), else AWS.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError
from rich.console import Console, Group
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from devtools.cli.dead_letters import QueueNotFound, dead_letter_queues, peek, redrive, resolve_queue

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

SHOW_MAX = 100  # a DLQ can hold thousands: `show` is for reading a few
BODY_MAX = 2000  # characters of a body printed before it is cut


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.cli.dlq",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="every DLQ with its depth and source queues")
    show = commands.add_parser("show", help="print a DLQ's messages (they stay in the queue)")
    show.add_argument("queue", help="name, URL or ARN")
    show.add_argument(
        "--max", type=int, default=10, help=f"messages to print (default 10, at most {SHOW_MAX})"
    )
    move = commands.add_parser("redrive", help="move a DLQ's messages back to their source queue")
    move.add_argument("queue", help="name, URL or ARN of the DLQ")
    move.add_argument("--to", help="destination queue (default: the queue each message came from)")
    move.add_argument("--max", type=int, help="move at most this many (default: what the DLQ holds now)")
    return parser


def main(
    argv: list[str] | None = None, *, sqs: SQSClient | None = None, console: Console | None = None
) -> int:
    """Run one command; 0 on success, 1 when a queue is missing or a redrive left messages behind."""
    args = _parser().parse_args(argv)
    console = console or Console()
    try:
        if sqs is None:
            from foyer import aws

            sqs = aws.client("sqs")
        if args.command == "list":
            return _list(sqs, console)
        if args.command == "show":
            return _show(sqs, console, args.queue, max(1, min(args.max, SHOW_MAX)))
        return _redrive(sqs, console, args.queue, args.to, args.max)
    except QueueNotFound as missing:
        console.print(f"[red]no queue named {missing}[/]")
        return 1
    except (BotoCoreError, ClientError) as unreachable:
        # No stack file and no AWS configuration lands here: one line that says where it looked.
        console.print(f"[red]cannot reach SQS: {unreachable}[/]")
        console.print(
            "start the local stack (`make dev`), or point at an account: AWS_PROFILE / AWS_REGION, "
            "or AWS_ENDPOINT_URL for another emulator"
        )
        return 2


def _list(sqs: SQSClient, console: Console) -> int:
    queues = dead_letter_queues(sqs)
    table = Table(title="dead-letter queues")
    table.add_column("queue")
    table.add_column("messages", justify="right")
    table.add_column("in flight", justify="right")
    table.add_column("fed by")
    for dlq in queues:
        style = "bold red" if dlq.visible or dlq.in_flight else ""
        table.add_row(
            dlq.queue.name,
            Text(str(dlq.visible), style=style),
            str(dlq.in_flight),
            ", ".join(dlq.sources) or "-",
        )
    console.print(table if queues else "no dead-letter queues")
    return 0


def _show(sqs: SQSClient, console: Console, reference: str, limit: int) -> int:
    queue = resolve_queue(sqs, reference)
    messages = peek(sqs, queue, limit)
    console.print(f"{queue.name}: {len(messages)} message(s) shown (at most {limit})")
    for message in messages:
        console.print(_message_panel(message))
    return 0


def _message_panel(message: MessageTypeDef) -> Panel:
    system = message.get("Attributes", {})
    facts = Table.grid(padding=(0, 2))
    facts.add_row("received", system.get("ApproximateReceiveCount", "?") + " time(s)")
    if "SentTimestamp" in system:
        sent = datetime.fromtimestamp(int(system["SentTimestamp"]) / 1000, tz=UTC)
        facts.add_row("sent", sent.isoformat(timespec="seconds"))
    if "DeadLetterQueueSourceArn" in system:
        facts.add_row("from", system["DeadLetterQueueSourceArn"])
    for name, attribute in sorted(message.get("MessageAttributes", {}).items()):
        value: Any = attribute.get("StringValue", attribute.get("BinaryValue"))
        facts.add_row(name, str(value))
    body = message["Body"]
    try:
        text, lexer = json.dumps(json.loads(body), indent=2), "json"
    except ValueError:
        text, lexer = body, None
    shown = text[:BODY_MAX]
    parts: list[Any] = [facts, Syntax(shown, lexer, word_wrap=True) if lexer else Text(shown)]
    if len(text) > BODY_MAX:
        parts.append(Text(f"... {len(text) - BODY_MAX} more characters", style="dim"))
    return Panel(Group(*parts), title=message["MessageId"], title_align="left")


def _redrive(sqs: SQSClient, console: Console, reference: str, to: str | None, limit: int | None) -> int:
    dlq = resolve_queue(sqs, reference)
    destination = resolve_queue(sqs, to) if to else None
    result = redrive(
        sqs, dlq, destination, limit=limit, on_progress=lambda line: console.print(line, markup=False)
    )
    status = f" (task {result.task_status})" if result.task_status else ""
    console.print(
        f"{dlq.name}: moved {result.moved} by {result.method}{status}; {result.left} left in the DLQ"
    )
    if result.not_deleted:
        console.print(
            f"[yellow]sent but not deleted (will be delivered twice): {', '.join(result.not_deleted)}[/]"
        )
    return 0 if not result.not_deleted and result.task_status in (None, "COMPLETED") else 1


if __name__ == "__main__":
    sys.exit(main())
