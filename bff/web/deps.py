"""The web BFF's one wiring point: settings, the services it calls, the request's deadline and the
signed-in user. Tests swap any of these with `app.dependency_overrides`."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from fastapi import Depends, Request

from bff.shared.calls import Services
from bff.shared.wiring import build_services, request_deadline
from bff.web.settings import WebSettings
from foyer.identity import User
from foyer.identity.dependencies import current_user
from foyer.upstream import Deadline


@cache
def get_settings() -> WebSettings:
    return WebSettings()


@cache
def get_services() -> Services:
    """The process-wide service clients (one shared HTTP client, one breaker per service)."""
    return build_services(get_settings())


def get_deadline(request: Request, settings: Annotated[WebSettings, Depends(get_settings)]) -> Deadline:
    return request_deadline(request, settings)


Settings = Annotated[WebSettings, Depends(get_settings)]
ServicesDep = Annotated[Services, Depends(get_services)]
Budget = Annotated[Deadline, Depends(get_deadline)]
CurrentUser = Annotated[User, Depends(current_user)]
