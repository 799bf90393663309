"""Settings from the environment (how Lambda configures us) and from the local stack's file.

Under `make dev` the stack writes `.local/stack.json`; an app started alone with uvicorn reads the
emulator endpoint, region and its table name from there. Arguments win over the environment, the
environment over the file, the file over the defaults.

A frozen pydantic model filled by a small loader over `os.environ`, not pydantic-settings: Lambda
configures us through a handful of environment variables and nothing else (no dotenv, no CLI, no
cloud secret stores), and pydantic-settings imports all of those (dotenv, argparse) on every cold
start (see docs/performance.md).
A field's environment names are its `validation_alias` choices (`AliasChoices("AWS_REGION",
"AWS_DEFAULT_REGION")`: the first one set wins), else its name in upper case; names are matched
exactly, as Lambda and Terraform set them.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

if TYPE_CHECKING:
    from pydantic.fields import FieldInfo

    from foyer.stack_file import LocalStack

DEFAULT_STACK_FILE = Path(".local/stack.json")


@cache
def read_stack_file(path: Path) -> LocalStack | None:
    """The local stack's description, or None when there is none (in AWS there never is)."""
    if not path.exists():
        return None
    # Imported only when there is a file: defining its models would cost every cold start, and in a
    # Lambda there is never a stack file to read.
    from foyer.stack_file import LocalStack

    return LocalStack.read(path)


def _aliases(field: FieldInfo) -> list[str]:
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return [choice for choice in alias.choices if isinstance(choice, str)]
    return [alias] if isinstance(alias, str) else []


def env_names(name: str, field: FieldInfo) -> list[str]:
    """The environment variables that set field `name`, in priority order."""
    return _aliases(field) or [name.upper()]


def _input_key(name: str, field: FieldInfo) -> str:
    """What the model validates field `name` under: its first alias, else its name."""
    return next(iter(_aliases(field)), name)


def from_environment(cls: type[BaseModel]) -> dict[str, str]:
    """The fields of `cls` that the environment sets, by field name."""
    values = {}
    for name, field in cls.model_fields.items():
        for variable in env_names(name, field):
            if variable in os.environ:
                values[name] = os.environ[variable]
                break
    return values


def from_stack_file(cls: type[BaseModel], service: Any) -> dict[str, Any]:
    """The fields of `cls` that the local stack's file supplies for `service` (none in AWS)."""
    stack = read_stack_file(Path(os.environ.get("FOYER_STACK_FILE", DEFAULT_STACK_FILE)).absolute())
    if stack is None:
        return {}
    emulator = stack.emulator
    values: dict[str, Any] = {
        "aws_endpoint_url": emulator.endpoint,
        "aws_region": stack.region,
        "aws_access_key_id": emulator.access_key_id,
        "aws_secret_access_key": emulator.secret_access_key,
        "table_name": stack.tables.get(service) if service else None,
        "service_urls": dict(stack.apps) or None,
        "partner_key_table": stack.tables.get("partner"),
    }
    if stack.identity is not None:
        values |= {
            "jwt_issuer": stack.identity.issuer,
            "jwt_audience": stack.identity.audience,
            "jwks_url": stack.identity.jwks_url,
        }
    return {k: v for k, v in values.items() if v is not None and k in cls.model_fields}


class FoyerSettings(BaseModel):
    """What every Foyer app needs to know about where it runs."""

    # Values are validated under their first environment name (the loader hands arguments over so
    # too), which also tells the pydantic mypy plugin that every field may come from elsewhere.
    # Validators are built on a class's first load: the classes an app only derives from
    # (ServiceSettings, BffSettings, IdentitySettings) are never built in its init.
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    env: str = Field("local", validation_alias=AliasChoices("FOYER_ENV"))
    # The one source of the name in logs and metric dimensions (Terraform sets FOYER_SERVICE).
    service: str = Field("foyer", validation_alias=AliasChoices("FOYER_SERVICE"))
    # Where the other apps answer, by name: in AWS from FOYER_SERVICE_URLS (JSON, set by Terraform),
    # locally from the stack file's running apps.
    service_urls: dict[str, str] = Field(
        default_factory=dict, validation_alias=AliasChoices("FOYER_SERVICE_URLS")
    )
    # On in AWS, where the services' function URLs admit only SigV4-signed callers (Terraform sets
    # FOYER_SIGN_SERVICE_CALLS for every app that calls a service); off locally. BFF_ is the BFFs'
    # older name for it.
    sign_service_calls: bool = Field(
        False, validation_alias=AliasChoices("FOYER_SIGN_SERVICE_CALLS", "BFF_SIGN_SERVICE_CALLS")
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

    def __init__(self, **values: Any) -> None:
        """Settings from `values` (by field name), else the environment, else the stack file, else
        the defaults; a missing or invalid one raises pydantic's ValidationError naming its variable
        (`TABLE_NAME`, not `table_name`)."""
        cls = type(self)
        environment = from_environment(cls)
        service = values.get("service") or environment.get("service") or _default(cls, "service")
        merged = {**from_stack_file(cls, service), **environment, **values}
        fields = cls.model_fields
        super().__init__(**{_input_key(k, fields[k]) if k in fields else k: v for k, v in merged.items()})

    @field_validator("service_urls", mode="before")
    @classmethod
    def _json_object(cls, value: Any) -> Any:
        # The environment carries the map as JSON text: `{"catalog": "https://..."}`.
        return json.loads(value) if isinstance(value, str) else value

    @property
    def in_lambda(self) -> bool:
        """True inside a Lambda execution environment (one event at a time per process)."""
        return bool(self.lambda_function_name)


def _default(cls: type[BaseModel], name: str) -> Any:
    field = cls.model_fields.get(name)
    return None if field is None or field.is_required() else field.default


class ServiceSettings(FoyerSettings):
    """A domain service: its one DynamoDB table (and, from FoyerSettings, its name)."""

    table_name: str = Field(validation_alias=AliasChoices("TABLE_NAME"))


@cache
def platform() -> FoyerSettings:
    return FoyerSettings()
