"""The catalog's model and rules: pure Python, no I/O (persistence is store.py, HTTP is api.py)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AnyUrl,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    TypeAdapter,
    UrlConstraints,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

SKU_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,39}$"
CATEGORY_PATTERN = r"^[a-z0-9-]{1,50}$"
# Minor units; the cap keeps every amount exact in a DynamoDB number and in a JSON double.
MAX_AMOUNT = 10**15

Sku = Annotated[str, StringConstraints(pattern=SKU_PATTERN)]
Category = Annotated[str, StringConstraints(pattern=CATEGORY_PATTERN)]
# `\S` publishes "not blank once stripped"; pydantic strips and matches `\S` by the same Unicode blanks.
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"\S")]
Description = Annotated[str, StringConstraints(max_length=2000)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
MAX_URL_LENGTH = 2048
_PORT = r"([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
# The image URLs accepted, as the OpenAPI publishes them: every string that matches also parses as an
# https URL. The host is ASCII labels of letters and digits with single inner hyphens (so no `xn--`
# label that would have to be valid punycode), the last one starting with a letter (never read as an
# IPv4 address); then an optional port and any printable ASCII. No user info, IP literal or blank.
HTTPS_URL_PATTERN = (
    r"^https://([A-Za-z0-9]+(-[A-Za-z0-9]+)*\.)*[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*"
    rf"(:{_PORT})?([/?#][!-~]*)?$"
)
_HTTPS_URL_RE = re.compile(HTTPS_URL_PATTERN)
_HTTPS_URL: TypeAdapter[AnyUrl] = TypeAdapter(
    Annotated[
        AnyUrl, UrlConstraints(allowed_schemes=["https"], max_length=MAX_URL_LENGTH, host_required=True)
    ]
)


def _https_url(value: str) -> str:
    message = f"must be an absolute https URL of at most {MAX_URL_LENGTH} characters"
    # fullmatch: `$` alone would let a trailing newline through.
    if len(value) > MAX_URL_LENGTH or not _HTTPS_URL_RE.fullmatch(value):
        raise ValueError(message)
    try:
        return str(_HTTPS_URL.validate_python(value))
    except ValidationError as exc:
        raise ValueError(message) from exc


HttpsUrl = Annotated[
    str,
    AfterValidator(_https_url),
    # No `format: uri`: RFC 3986 refuses characters (`[`, `|`, a bare `%`...) that are percent-encoded.
    WithJsonSchema({"type": "string", "maxLength": MAX_URL_LENGTH, "pattern": HTTPS_URL_PATTERN}),
]
ImageUrls = Annotated[list[HttpsUrl], Field(max_length=10)]

_TIMESTAMP = TypeAdapter(datetime)

PATCHABLE = ("name", "description", "price", "category", "image_urls")


class Money(BaseModel):
    """An amount in minor units (cents) of an ISO 4217 currency: never a float."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: Annotated[StrictInt, Field(ge=0, le=MAX_AMOUNT)]
    currency: Currency


class ProductIn(BaseModel):
    """What a client sends to create a product."""

    model_config = ConfigDict(extra="forbid")

    sku: Sku
    name: Name
    description: Description = ""
    price: Money
    category: Category
    image_urls: ImageUrls = Field(default_factory=list)


class ProductPatch(BaseModel):
    """A partial update: only the fields present change; at least one, none of them null."""

    # The published schema says the same: `None` is only the "absent" default (SkipJsonSchema keeps
    # it out of the schema) and `minProperties` asks for one field at least.
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    name: Name | SkipJsonSchema[None] = None
    description: Description | SkipJsonSchema[None] = None
    price: Money | SkipJsonSchema[None] = None
    category: Category | SkipJsonSchema[None] = None
    image_urls: ImageUrls | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _some_change(self) -> ProductPatch:
        if not self.model_fields_set:
            raise ValueError(f"at least one of {', '.join(PATCHABLE)} is required")
        nulls = sorted(f for f in self.model_fields_set if getattr(self, f) is None)
        if nulls:
            raise ValueError(f"fields cannot be null: {', '.join(nulls)}")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields to write, as stored (plain JSON values)."""
        return self.model_dump(mode="json", include=self.model_fields_set)


class Product(BaseModel):
    """A product as stored and returned: the client's fields plus what the server owns."""

    model_config = ConfigDict(extra="ignore")

    sku: Sku
    name: str
    description: str = ""
    price: Money
    category: str
    image_urls: list[str] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    version: int = Field(ge=1)

    def to_item(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def new_product(data: ProductIn, now: datetime) -> Product:
    """A product as first stored: version 1, both timestamps now."""
    return Product(**data.model_dump(), created_at=now, updated_at=now, version=1)


def timestamp(now: datetime) -> str:
    """How timestamps are stored: the same ISO 8601 text the API returns."""
    stamped: str = _TIMESTAMP.dump_python(now, mode="json")
    return stamped


class ProductExists(Exception):
    def __init__(self, sku: str) -> None:
        super().__init__(f"product {sku} already exists")
        self.sku = sku


class ProductNotFound(Exception):
    def __init__(self, sku: str) -> None:
        super().__init__(f"product {sku} does not exist")
        self.sku = sku


class VersionMismatch(Exception):
    """The client's expected version is not the stored one (optimistic concurrency)."""

    def __init__(self, sku: str, expected: int, current: int) -> None:
        super().__init__(f"product {sku} is at version {current}, not {expected}")
        self.sku = sku
        self.expected = expected
        self.current = current


# What parse_if_match accepts, as the OpenAPI publishes it (surrounding blanks are HTTP's own).
IF_MATCH_PATTERN = r'^[ \t]*(\*|(W/)?("[0-9]{1,18}"|[0-9]{1,18}))[ \t]*$'


def parse_if_match(value: str | None) -> int | None:
    """The version an `If-Match` header requires: `3`, `"3"` or `W/"3"`; None for absent or `*`.

    Raises ValueError for anything else (a list of tags is not supported: one version at a time).
    """
    if value is None:
        return None
    tag = value.strip()
    if tag == "*":
        return None
    if tag.startswith("W/"):
        tag = tag[2:]
    if len(tag) >= 2 and tag[0] == tag[-1] == '"':
        tag = tag[1:-1]
    if not tag.isascii() or not tag.isdigit() or len(tag) > 18:
        raise ValueError(f"If-Match must name one product version, got {value!r}")
    return int(tag)


def etag(version: int) -> str:
    return f'"{version}"'
