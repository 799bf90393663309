"""The catalog's model and rules: pure Python, no I/O (persistence is store.py, HTTP is api.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AnyUrl,
    BaseModel,
    BeforeValidator,
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

from services.catalog.currencies import CURRENCIES

SKU_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,39}$"
CATEGORY_PATTERN = r"^[a-z0-9-]{1,50}$"
# Minor units; the cap keeps every amount exact in a DynamoDB number and in a JSON double.
MAX_AMOUNT = 10**15

Sku = Annotated[str, StringConstraints(pattern=SKU_PATTERN)]
Category = Annotated[str, StringConstraints(pattern=CATEGORY_PATTERN)]


def _integral(value: Any) -> Any:
    """JSON Schema's `integer` counts `5.0`: accept an integral float as the int it is."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# An amount of minor units, an integer as JSON Schema means it (5 and 5.0), never a string or a boolean.
# The bounds stand inside the validator so the schema publishes them as minimum and maximum. At least
# one: a price of nothing is no price (an order of it could never be paid for); a free product is
# not something the catalog sells.
Amount = Annotated[StrictInt, Field(ge=1, le=MAX_AMOUNT), BeforeValidator(_integral)]

# Characters no text may hold: C0/C1 controls (NUL, BEL, the ESC of ANSI sequences) and the
# bidirectional overrides and isolates that reorder what a reader sees (Trojan Source). A description
# may hold tabs and line breaks.
_BIDI = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_NAME_FORBIDDEN = rf"\x00-\x1f\x7f-\x9f{_BIDI}"
_TEXT_FORBIDDEN = rf"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}"
# Characters that show nothing: white space, zero-width and other format characters, fillers.
_INVISIBLE = (
    r"\t\n\v\f\r \u00a0\u00ad\u034f\u115f\u1160\u1680\u180e\u2000-\u200f\u2028-\u202f"
    r"\u205f-\u206f\u2800\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
)
# These patterns are published in the OpenAPI and enforced as they are: Python, pydantic's Rust
# engine and ECMA-262 read `\xHH`, `\uHHHH` and these classes alike.
NAME_PATTERN = rf"^[^{_NAME_FORBIDDEN}]*[^{_NAME_FORBIDDEN}{_INVISIBLE}][^{_NAME_FORBIDDEN}]*$"
TEXT_PATTERN = rf"^[^{_TEXT_FORBIDDEN}]*$"
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NAME_PATTERN)
]
Description = Annotated[str, StringConstraints(max_length=2000, pattern=TEXT_PATTERN)]


def _known_currency(code: str) -> str:
    if code not in CURRENCIES:
        raise ValueError("must be an ISO 4217 code of a currency in circulation, such as EUR")
    return code


Currency = Annotated[
    str, AfterValidator(_known_currency), WithJsonSchema({"type": "string", "enum": sorted(CURRENCIES)})
]
MAX_URL_LENGTH = 2048
# 1 to 65535, without leading zeros: port 0 addresses nothing.
_PORT = r"([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
# The image URLs accepted, as the OpenAPI publishes them: every string that matches also parses as an
# https URL. The host is two or more ASCII labels of letters and digits with single inner hyphens (no
# `localhost` or other single-label name a CDN would never serve; no `xn--` label that would have to
# be valid punycode), the last one starting with a letter (never read as an IPv4 address); then an
# optional port and any printable ASCII. No user info, IP literal or blank.
HTTPS_URL_PATTERN = (
    r"^https://([A-Za-z0-9]+(-[A-Za-z0-9]+)*\.)+[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*"
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


def _distinct(urls: list[str]) -> list[str]:
    if len(set(urls)) != len(urls):
        raise ValueError("must not list an image twice")
    return urls


HttpsUrl = Annotated[
    str,
    AfterValidator(_https_url),
    # No `format: uri`: RFC 3986 refuses characters (`[`, `|`, a bare `%`...) that are percent-encoded.
    WithJsonSchema({"type": "string", "maxLength": MAX_URL_LENGTH, "pattern": HTTPS_URL_PATTERN}),
]
ImageUrls = Annotated[
    list[HttpsUrl], Field(max_length=10, json_schema_extra={"uniqueItems": True}), AfterValidator(_distinct)
]

_TIMESTAMP = TypeAdapter(datetime)

PATCHABLE = ("name", "description", "price", "category", "image_urls")


class Money(BaseModel):
    """An amount in minor units (cents) of an ISO 4217 currency: never a float."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: Amount
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

    # Each field is its type alone, never `X | None`: an explicit null is refused by that type, with
    # the field as the only location (a union would report one error per branch). `None` is only the
    # default that marks "absent" (defaults are not validated); `minProperties` asks for one field.
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    name: Name = None  # type: ignore[assignment]
    description: Description = None  # type: ignore[assignment]
    price: Money = None  # type: ignore[assignment]
    category: Category = None  # type: ignore[assignment]
    image_urls: ImageUrls = None  # type: ignore[assignment]

    @model_validator(mode="after")
    def _some_change(self) -> ProductPatch:
        if not self.model_fields_set:
            raise ValueError(f"at least one of {', '.join(PATCHABLE)} is required")
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


@dataclass(frozen=True)
class Precondition:
    """What a client requires of a product before changing it: that it exists at one of `versions`,
    or at any version when `versions` is None."""

    versions: frozenset[int] | None = None

    def holds_for(self, version: int | None) -> bool:
        if version is None:
            return False
        return self.versions is None or version in self.versions


class PreconditionFailed(Exception):
    """The product is not in the state the client required (`current` None: there is no product)."""

    def __init__(self, sku: str, current: int | None) -> None:
        state = "does not exist" if current is None else f"is at version {current}"
        super().__init__(f"product {sku} {state}")
        self.sku = sku
        self.current = current
