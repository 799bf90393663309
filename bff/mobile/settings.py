"""The mobile BFF's settings: its dependencies and budget (BffSettings) and the oldest app it serves."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from foyer.upstream.settings import BffSettings

SERVICE = "mobile"
VERSION_PATTERN = r"^\d{1,4}\.\d{1,4}\.\d{1,4}$"


class MobileSettings(BffSettings):
    # Redeclared only for the default; the alias keeps `FOYER_SERVICE` as the one env name.
    service: str = Field(SERVICE, validation_alias=AliasChoices("FOYER_SERVICE"))
    # Apps older than this get 426 and are told to update (major.minor.patch).
    min_app_version: str = Field(
        "1.0.0", pattern=VERSION_PATTERN, validation_alias=AliasChoices("MIN_APP_VERSION")
    )
