"""The web BFF's settings: its dependencies and budget (BffSettings) and the origins CORS admits."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field, field_validator

from foyer.upstream.settings import BffSettings

SERVICE = "web"


class WebSettings(BffSettings):
    # Redeclared only for the default; the alias keeps `FOYER_SERVICE` as the one env name.
    service: str = Field(SERVICE, validation_alias=AliasChoices("FOYER_SERVICE"))
    # Origins a browser may call from (exact `scheme://host[:port]`); none by default.
    cors_origins: tuple[str, ...] = Field((), validation_alias=AliasChoices("CORS_ORIGINS"))

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(origin.strip() for origin in value.split(",") if origin.strip())
        return value
