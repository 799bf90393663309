"""`.local/stack.json`: the local stack's description, one model for its writer and its readers.

`make dev` (devtools.devstack) writes it from Terraform's outputs of environments/local and the apps it
started; an app started alone with uvicorn reads it through foyer.settings. Runtime-safe: it imports
nothing dev-only, because foyer.settings ships in every Lambda zip (where no stack file ever exists).
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict

__all__ = [
    "DEMO_ACCESS_KEY_ID",
    "DEMO_SECRET_ACCESS_KEY",
    "Api",
    "Demo",
    "Emulator",
    "Function",
    "Issuer",
    "LocalStack",
    "Schedule",
    "StackFileError",
]

# The emulator accepts any keys; these are written down so every local client uses the same ones.
DEMO_ACCESS_KEY_ID = "test"
DEMO_SECRET_ACCESS_KEY = "test"  # noqa: S105 - a placeholder the emulator accepts, not a secret


class StackFileError(ValueError):
    """A stack file exists but does not describe a stack; the message names the file."""


class _Model(BaseModel):
    # extra="forbid": a key this model does not know means writer and reader disagree; say so.
    model_config = ConfigDict(frozen=True, extra="forbid")


class Emulator(_Model):
    """Where the AWS emulator listens, and the dummy keys every local client signs with."""

    endpoint: str
    access_key_id: str = DEMO_ACCESS_KEY_ID
    secret_access_key: str = DEMO_SECRET_ACCESS_KEY


class Function(_Model):
    """One Lambda function Terraform created (output `functions`)."""

    function_name: str
    handler: str
    arn: str

    @property
    def asgi_app(self) -> str:
        """The `module:app` uvicorn serves: the `app` module beside the handler's module."""
        package = self.handler.rsplit(".", 2)[0]  # services.catalog.handler.handler -> services.catalog
        return f"{package}.app:app"


class Schedule(_Model):
    """One scheduled function Terraform created (output `schedules`)."""

    function_name: str
    expression: str  # the EventBridge schedule in AWS
    local_interval_s: float  # how often the local stack calls its handler instead


class Issuer(_Model):
    """The local token issuer: who it says it is, for whom, and where its public keys are."""

    issuer: str
    audience: str
    jwks_url: str


class Demo(_Model):
    """Credentials to try the BFFs with: a demo partner's API key, a fresh token for the demo user."""

    partner_api_key: str | None = None
    user_token: str | None = None


class Api(_Model):
    """One BFF's REST API as Terraform created it (output `apis`)."""

    id: str
    stage: str
    invoke_url: str
    authorizer: bool  # the JWT authorizer guards every method
    authorizer_ttl: int = 0  # seconds API Gateway caches the authorizer's policy per token
    api_key_required: bool  # every method needs an API key under a usage plan


class LocalStack(_Model):
    """What the local stack runs: Terraform's outputs of environments/local, plus the running apps."""

    region: str
    emulator: Emulator
    tables: dict[str, str]  # app name -> its table's name
    functions: dict[str, Function]  # app name -> its Lambda function
    ports: dict[str, int]  # app name -> its local port (the declared one plus port_offset)
    port_offset: int = 0  # `--port-offset`: how far this stack shifted every declared port
    apps: dict[str, str] = {}  # app name -> the URL it answers on (only while `make dev` runs)
    event_bus: str | None = None  # the bus the relays publish to
    outboxes: list[str] = []  # tables whose outbox a relay publishes
    schedules: dict[str, Schedule] = {}  # scheduled function key -> its schedule
    identity: Issuer | None = None  # the local token issuer (while `make dev` runs)
    authorizer: Function | None = None  # the JWT authorizer's function
    apis: dict[str, Api] = {}  # BFF name -> its REST API
    demo: Demo | None = None
    gateway: dict[str, str] = {}  # BFF name -> its URL through the local API Gateway (Lambda mode)

    @property
    def endpoint(self) -> str:
        return self.emulator.endpoint

    @property
    def app_modules(self) -> dict[str, str]:
        """`name -> module:app` for every app Terraform declares."""
        return {name: function.asgi_app for name, function in self.functions.items()}

    def shifted(self, offset: int) -> LocalStack:
        """This stack with every port moved by `offset` (a second stack beside a developer's)."""
        ports = {app: port + offset for app, port in self.ports.items()}
        return self.model_copy(update={"ports": ports, "port_offset": self.port_offset + offset})

    def port(self, app: str) -> int:
        """The local port `app` answers on."""
        try:
            return self.ports[app]
        except KeyError:
            raise KeyError(
                f"no local port is declared for {app!r}: add its entry to locals.apps in "
                "terraform/modules/platform/main.tf"
            ) from None

    def aws_env(self) -> dict[str, str]:
        """The environment that points boto3 (and so foyer.aws) at the emulator."""
        return {
            "AWS_ENDPOINT_URL": self.emulator.endpoint,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ACCESS_KEY_ID": self.emulator.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.emulator.secret_access_key,
        }

    def write(self, path: Path) -> Path:
        """Write the file atomically: a reader never sees half of it."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.model_dump_json(indent=2) + "\n")
        tmp.replace(path)
        return path

    @classmethod
    def read(cls, path: Path) -> LocalStack | None:
        """The stack described at `path`, or None when there is no file (in AWS there never is)."""
        try:
            text = path.read_text()
        except (FileNotFoundError, NotADirectoryError):
            return None
        try:
            return cls.model_validate(json.loads(text))
        except ValueError as error:  # invalid JSON or a shape this model refuses (ValidationError)
            raise StackFileError(
                f"{path} does not describe a local stack ({error}); delete it, or restart `make dev`"
            ) from error
