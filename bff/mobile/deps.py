"""The mobile BFF's one wiring point: settings, the services it calls, the request's deadline, the
signed-in user and the app-version gate. Tests swap any of these with `app.dependency_overrides`."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from fastapi import Depends, Header, Request

from bff.mobile.settings import VERSION_PATTERN, MobileSettings
from bff.mobile.versions import AppTooOld, version_tuple
from bff.shared.calls import Services
from bff.shared.wiring import build_services, request_deadline
from foyer.identity import User
from foyer.identity.dependencies import current_user
from foyer.upstream import Deadline


@cache
def get_settings() -> MobileSettings:
    return MobileSettings()


@cache
def get_services() -> Services:
    """The process-wide service clients (one shared HTTP client, one breaker per service)."""
    return build_services(get_settings())


def get_deadline(request: Request, settings: Annotated[MobileSettings, Depends(get_settings)]) -> Deadline:
    return request_deadline(request, settings)


def supported_app(
    settings: Annotated[MobileSettings, Depends(get_settings)],
    version: Annotated[
        str,
        Header(
            alias="X-App-Version", pattern=VERSION_PATTERN, description="The app's version, major.minor.patch"
        ),
    ],
) -> str:
    """The calling app's version, or AppTooOld (426) below the configured minimum."""
    if version_tuple(version) < version_tuple(settings.min_app_version):
        raise AppTooOld(version, settings.min_app_version)
    return version


ServicesDep = Annotated[Services, Depends(get_services)]
Budget = Annotated[Deadline, Depends(get_deadline)]
CurrentUser = Annotated[User, Depends(current_user)]
