"""Notifications' HTTP wiring point: settings, the store and the aliases routes declare. Tests swap
them with `app.dependency_overrides`. (The consumer wires itself in consumers.py, without FastAPI.)"""

from __future__ import annotations

from functools import cache
from typing import Annotated

from fastapi import Depends

from foyer.dynamodb import Table
from services.notifications.settings import NotificationsSettings
from services.notifications.store import NotificationsStore


@cache
def get_settings() -> NotificationsSettings:
    return NotificationsSettings()


def build_store(settings: NotificationsSettings) -> NotificationsStore:
    """The store over the table `settings` names."""
    return NotificationsStore(Table(settings.table_name))


@cache
def get_store() -> NotificationsStore:
    """The process-wide store, created on first use."""
    return build_store(get_settings())


Settings = Annotated[NotificationsSettings, Depends(get_settings)]
Store = Annotated[NotificationsStore, Depends(get_store)]
