"""`GET /notifications/{order_id}` through the real app, reading what the consumer recorded."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from foyer.errors import MEDIA_TYPE
from services.notifications import deps
from services.notifications.app import app
from services.notifications.store import NotificationsStore

from .conftest import TopicInbox

pytestmark = pytest.mark.integration


@pytest.fixture
def client(store: NotificationsStore) -> Iterator[TestClient]:
    app.dependency_overrides[deps.get_store] = lambda: store
    with TestClient(app) as test_client:
        yield test_client
    app.dependency_overrides.clear()


def test_an_order_lists_what_was_sent_for_it_oldest_first(
    client: TestClient,
    deliver: Callable[..., list[str]],
    order_event: Callable[..., dict[str, Any]],
    topic: TopicInbox,
) -> None:
    confirmed = order_event("order_confirmed")
    data = confirmed["detail"]["data"]
    cancelled = order_event("order_cancelled", order_id=data["order_id"], contact_email=data["contact_email"])
    assert deliver(confirmed) == []
    assert deliver(cancelled) == []

    answer = client.get(f"/notifications/{data['order_id']}")

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["order_id"] == data["order_id"]
    items = body["items"]
    confirmed_subject = f"Your Foyer order {data['order_id']} is confirmed"
    cancelled_subject = f"Your Foyer order {data['order_id']} was cancelled"
    assert [(i["kind"], i["to"], i["subject"], i["event_type"]) for i in items] == [
        ("email", data["contact_email"], confirmed_subject, "OrderConfirmed"),
        ("sns", topic.arn, confirmed_subject, "OrderConfirmed"),
        ("email", data["contact_email"], cancelled_subject, "OrderCancelled"),
        ("sns", topic.arn, cancelled_subject, "OrderCancelled"),
    ]
    times = [datetime.fromisoformat(i["sent_at"]) for i in items]
    assert times == sorted(times)
    assert {i["event_id"] for i in items} == {confirmed["detail"]["id"], cancelled["detail"]["id"]}


def test_an_order_nothing_was_sent_for_has_an_empty_list(client: TestClient) -> None:
    answer = client.get("/notifications/ord-never-seen")

    assert answer.status_code == 200
    assert answer.json() == {"order_id": "ord-never-seen", "items": []}


def test_a_malformed_order_id_is_a_422_problem(client: TestClient) -> None:
    answer = client.get("/notifications/not%20an%20id")

    assert answer.status_code == 422
    assert answer.headers["content-type"] == MEDIA_TYPE
