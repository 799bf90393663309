"""Settings from the environment (how Lambda configures us) and from the local stack's file.

Under `make dev` the stack writes `.local/stack.json`; an app started alone with uvicorn reads the
emulator endpoint, region and its table name from there. Environment variables always win.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

if TYPE_CHECKING:
    from foyer.stack_file import LocalStack

DEFAULT_STACK_FILE = Path(".local/stack.json")


@cache
def read_stack_file(path: Path) -> LocalStack | None:
    """The local stack's description, or None when there is none (in AWS there never is)."""
    if not path.exists():
        return None
    # Imported only when there is a file: defining its models costs about 2 ms of every cold start
    # (python -X importtime), and in a Lambda there is never a stack file to read.
    from foyer.stack_file import LocalStack

    return LocalStack.read(path)


class StackFileSource(PydanticBaseSettingsSource):
    """Maps `.local/stack.json` onto settings fields; lowest priority of all sources."""

    def __init__(self, settings_cls: type[BaseSettings], stack_file: Path) -> None:
        super().__init__(settings_cls)
        # Absolute: the cache must not serve one working directory's file to another.
        self.stack = read_stack_file(stack_file.absolute())

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # everything is returned at once by __call__

    def __call__(self) -> dict[str, Any]:
        if self.stack is None:
            return {}
        emulator = self.stack.emulator
        values: dict[str, Any] = {
            "aws_endpoint_url": emulator.endpoint,
            "aws_region": self.stack.region,
            "aws_access_key_id": emulator.access_key_id,
            "aws_secret_access_key": emulator.secret_access_key,
        }
        # Sources before this one hand over their values under the env alias (FOYER_SERVICE).
        state = self.current_state
        service = (
            state.get("FOYER_SERVICE") or state.get("service") or _field_default(self.settings_cls, "service")
        )
        if service:
            values["table_name"] = self.stack.tables.get(service)
        if self.stack.apps:
            values["service_urls"] = dict(self.stack.apps)
        return {k: v for k, v in values.items() if v is not None and k in self.settings_cls.model_fields}


def _field_default(cls: type[BaseSettings], name: str) -> Any:
    field = cls.model_fields.get(name)
    return None if field is None or field.is_required() else field.default


class FoyerSettings(BaseSettings):
    """What every Foyer app needs to know about where it runs."""

    # populate_by_name: the stack file source supplies values under field names, env under aliases.
    model_config = SettingsConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    env: str = Field("local", validation_alias=AliasChoices("FOYER_ENV"))
    # The one source of the name in logs and metric dimensions (Terraform sets FOYER_SERVICE).
    service: str = Field("foyer", validation_alias=AliasChoices("FOYER_SERVICE"))
    # Where the other apps answer, by name: in AWS from FOYER_SERVICE_URLS (JSON, set by Terraform),
    # locally from the stack file's running apps.
    service_urls: dict[str, str] = Field(
        default_factory=dict, validation_alias=AliasChoices("FOYER_SERVICE_URLS")
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        "INFO", validation_alias=AliasChoices("LOG_LEVEL")
    )
    aws_region: str = Field("eu-west-1", validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION"))
    aws_endpoint_url: str | None = Field(None, validation_alias=AliasChoices("AWS_ENDPOINT_URL"))
    # Only ever the emulator's dummy keys: in AWS, credentials come from the execution role.
    aws_access_key_id: str | None = Field(None, validation_alias=AliasChoices("AWS_ACCESS_KEY_ID"))
    aws_secret_access_key: str | None = Field(None, validation_alias=AliasChoices("AWS_SECRET_ACCESS_KEY"))
    # Set by the Lambda runtime in every execution environment, and only there.
    lambda_function_name: str | None = Field(None, validation_alias=AliasChoices("AWS_LAMBDA_FUNCTION_NAME"))

    @property
    def in_lambda(self) -> bool:
        """True inside a Lambda execution environment (one event at a time per process)."""
        return bool(self.lambda_function_name)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        stack_file = Path(os.environ.get("FOYER_STACK_FILE", DEFAULT_STACK_FILE))
        return init_settings, env_settings, StackFileSource(settings_cls, stack_file)


class ServiceSettings(FoyerSettings):
    """A domain service: its one DynamoDB table (and, from FoyerSettings, its name)."""

    table_name: str = Field(validation_alias=AliasChoices("TABLE_NAME"))


@cache
def platform() -> FoyerSettings:
    return FoyerSettings()
