"""aws_calls against handlers whose AWS calls are known: it finds each, and no more than the code
can reach (the payments API never reads the provider's key, only the charges consumer does)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import aws_calls
import pytest


def actions(handler: str) -> set[str]:
    found = aws_calls.reach(handler)
    assert not found.problems, found.problems
    return set(aws_calls.actions(found.calls))


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        ("services.payments.consumers.handler", {"secretsmanager:GetSecretValue", "dynamodb:PutItem"}),
        ("foyer.events.handler.handler", {"events:PutEvents", "dynamodb:DeleteItem"}),
        ("services.notifications.consumers.handler", {"ses:SendEmail", "sns:Publish"}),
        ("bff.partner.handler.handler", {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}),
        ("services.catalog.handler.handler", {"dynamodb:GetItem"}),
    ],
)
def test_the_calls_the_code_makes_are_found(handler: str, expected: set[str]) -> None:
    assert expected <= actions(handler)


@pytest.mark.parametrize(
    ("handler", "absent"),
    [
        # settings.py imports a constant from foyer.secrets: importing is not reading.
        ("services.payments.handler.handler", "secretsmanager:GetSecretValue"),
        # The relay publishes and forgets: it never writes an item.
        ("foyer.events.handler.handler", "dynamodb:PutItem"),
        ("services.notifications.handler.handler", "ses:SendEmail"),
    ],
)
def test_code_a_handler_cannot_reach_makes_no_call(handler: str, absent: str) -> None:
    assert absent not in actions(handler)


def test_a_web_bff_calls_no_aws_api_at_all() -> None:
    assert actions("bff.web.handler.handler") == set()


def test_routes_registered_by_decorators_are_reached() -> None:
    found = aws_calls.reach("services.orders.handler.handler")
    assert ("services.orders.api", "") in found.units
    assert {qualname for module, qualname in found.units if module == "services.orders.api"} - {""}


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], aws_calls.Reach]]:
    """A repository of one handler module (`fake/handler.py` under services) beside a minimal foyer.aws."""
    (tmp_path / "foyer").mkdir()
    (tmp_path / "foyer" / "__init__.py").write_text("")
    (tmp_path / "foyer" / "aws.py").write_text("def client(service_name, settings=None):\n    ...\n")
    (tmp_path / "services" / "fake").mkdir(parents=True)
    for package in ("services", "services/fake"):
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "bff").mkdir()
    monkeypatch.setattr(aws_calls, "ROOT", tmp_path)

    def scan(source: str) -> aws_calls.Reach:
        (tmp_path / "services" / "fake" / "handler.py").write_text(textwrap.dedent(source))
        aws_calls.MODULES.cache_clear()
        aws_calls.module.cache_clear()
        return aws_calls.reach("services.fake.handler.handler")

    yield scan
    aws_calls.MODULES.cache_clear()
    aws_calls.module.cache_clear()


def test_a_call_through_a_client_of_foyer_aws_is_found(tree: Callable[[str], aws_calls.Reach]) -> None:
    found = tree(
        """
        from foyer import aws

        class Queue:
            @property
            def client(self):
                return aws.client("sqs")

            def send(self, body):
                self.client.send_message(QueueUrl="q", MessageBody=body)

        def handler(event, context):
            Queue().send("x")
        """
    )
    assert set(aws_calls.actions(found.calls)) == {"sqs:SendMessage"}
    assert not found.problems


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        (
            "from foyer import aws\n\ndef handler(event, context):\n"
            "    name = event['service']\n    aws.client(name).list_queues()\n",
            "named at run time",
        ),
        (
            "import boto3\n\ndef handler(event, context):\n    boto3.client('s3').list_buckets()\n",
            "directly, not through foyer.aws",
        ),
        (
            "import importlib\n\ndef handler(event, context):\n"
            "    importlib.import_module(event['module'])\n",
            "computed name",
        ),
        (
            "from foyer import aws\n\ndef handler(event, context):\n"
            "    c = aws.client('sns')\n    return c\n",
            "calls none of its operations",
        ),
    ],
)
def test_what_the_scan_cannot_attribute_is_a_problem(
    tree: Callable[[str], aws_calls.Reach], source: str, problem: str
) -> None:
    found = tree(source)
    assert any(problem in p.what for p in found.problems), found.problems
