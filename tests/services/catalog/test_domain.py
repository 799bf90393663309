"""Catalog rules without I/O: what a product may look like, partial updates, preconditions."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from services.catalog.domain import (
    HTTPS_URL_PATTERN,
    NAME_PATTERN,
    TEXT_PATTERN,
    Precondition,
    Product,
    ProductIn,
    ProductPatch,
    new_product,
    timestamp,
)

NOW = datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)


def product(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sku": "COF-001",
        "name": "Espresso Blend 500g",
        "description": "Dark and sweet.",
        "price": {"amount": 1890, "currency": "EUR"},
        "category": "coffee",
        "image_urls": ["https://images.example.com/cof-001.jpg"],
    }
    body.update(overrides)
    return body


def error_types(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {e["type"] for e in exc.value.errors()}


def test_a_valid_product_is_accepted_and_defaults_are_filled() -> None:
    body = product()
    del body["description"], body["image_urls"]
    parsed = ProductIn.model_validate(body)
    assert parsed.description == ""
    assert parsed.image_urls == []
    assert parsed.price.amount == 1890


@pytest.mark.parametrize("sku", ["ABC", "A-1", "9" * 40, "COF-001", "X-Y-Z"])
def test_valid_skus(sku: str) -> None:
    assert ProductIn.model_validate(product(sku=sku)).sku == sku


@pytest.mark.parametrize("sku", ["AB", "cof-001", "-ABC", "A" * 41, "COF 001", "COF_001", "", "ÄBC"])
def test_malformed_skus_are_rejected(sku: str) -> None:
    with pytest.raises(ValidationError):
        ProductIn.model_validate(product(sku=sku))


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        (-1, "greater_than_equal"),
        (0, "greater_than_equal"),
        (12.5, "int_type"),
        (True, "int_type"),
        ("1890", "int_type"),
        (None, "int_type"),
        (10**15 + 1, "less_than_equal"),
    ],
)
def test_price_amount_is_a_positive_integer_of_minor_units(amount: Any, error: str) -> None:
    with pytest.raises(ValidationError) as exc:
        ProductIn.model_validate(product(price={"amount": amount, "currency": "EUR"}))
    assert error in error_types(exc)


def test_the_smallest_price_is_one_minor_unit() -> None:
    assert ProductIn.model_validate(product(price={"amount": 1, "currency": "JPY"})).price.amount == 1


@pytest.mark.parametrize("currency", ["eur", "EU", "EURO", "E1R", "€", "", 978])
def test_currency_is_three_uppercase_letters(currency: Any) -> None:
    with pytest.raises(ValidationError):
        ProductIn.model_validate(product(price={"amount": 1, "currency": currency}))


@pytest.mark.parametrize(
    "body",
    [
        product(colour="red"),
        product(price={"amount": 1, "currency": "EUR", "tax": 0}),
        product(version=7),  # the server owns the version
        product(created_at="2025-01-01T00:00:00Z"),
    ],
)
def test_unknown_fields_are_rejected(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as exc:
        ProductIn.model_validate(body)
    assert "extra_forbidden" in error_types(exc)


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": ""},
        {"name": "   "},
        {"name": "n" * 201},
        {"description": "d" * 2001},
        {"category": "Coffee"},
        {"category": "coffee beans"},
        {"category": "c" * 51},
        {"image_urls": ["http://images.example.com/a.jpg"]},
        {"image_urls": ["not a url"]},
        {"image_urls": ["https://"]},
        {"image_urls": [f"https://images.example.com/{i}.jpg" for i in range(11)]},
    ],
)
def test_field_limits(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ProductIn.model_validate(product(**overrides))


def test_limits_are_inclusive() -> None:
    parsed = ProductIn.model_validate(
        product(
            name="n" * 200,
            description="d" * 2000,
            category="c" * 50,
            image_urls=[f"https://images.example.com/{i}.jpg" for i in range(10)],
        )
    )
    assert len(parsed.image_urls) == 10
    assert all(isinstance(u, str) for u in parsed.image_urls)


def test_new_product_starts_at_version_one_with_server_timestamps() -> None:
    created = new_product(ProductIn.model_validate(product()), NOW)
    assert created.version == 1
    assert created.created_at == created.updated_at == NOW
    item = created.to_item()
    assert item["created_at"] == "2025-01-02T03:04:05.123456Z"
    assert item["price"] == {"amount": 1890, "currency": "EUR"}
    assert Product.model_validate(item) == created
    assert timestamp(NOW) == item["updated_at"]


def test_patch_keeps_only_the_fields_sent() -> None:
    patch = ProductPatch.model_validate({"name": "New name", "price": {"amount": 5, "currency": "USD"}})
    assert patch.changes() == {"name": "New name", "price": {"amount": 5, "currency": "USD"}}


def test_patch_may_clear_the_description_and_images() -> None:
    assert ProductPatch.model_validate({"description": "", "image_urls": []}).changes() == {
        "description": "",
        "image_urls": [],
    }


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": None},
        {"sku": "OTHER-1"},  # the key never changes
        {"version": 2},
        {"price": {"amount": -5, "currency": "EUR"}},
        {"price": {"amount": 5.5, "currency": "EUR"}},
        {"category": "Not A Slug"},
    ],
)
def test_invalid_patches(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ProductPatch.model_validate(body)


@pytest.mark.parametrize(
    ("precondition", "version", "holds"),
    [
        (Precondition(), 7, True),  # If-Match: *
        (Precondition(), None, False),  # ... needs a product
        (Precondition(frozenset({3, 5})), 5, True),
        (Precondition(frozenset({3, 5})), 4, False),
        (Precondition(frozenset()), 3, False),  # only weak tags: never a strong match
    ],
)
def test_a_precondition_holds_for_the_versions_it_names(
    precondition: Precondition, version: int | None, holds: bool
) -> None:
    assert precondition.holds_for(version) is holds


# The published schema states what the validators enforce (the fuzz test's positive mode relies on it).
@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://images.example.com/cof-001.jpg?w=200#top", True),
        ("https://cdn-2.example.com:8443", True),
        ("https://cdn.example/a%zz[b]|c", True),
        ("https://localhost/a.jpg", False),
        ("https://images/a.jpg", False),  # a single-label host
        ("https://images.example.com:0/a.jpg", False),
        ("https://images.example.com:0443/a.jpg", False),
        ("https://images.example.com:443/a.jpg", True),
        ("HTTPS://images.example.com/a.jpg", False),
        (" https://images.example.com/a.jpg", False),
        ("https://images.example.com/a.jpg\n", False),
        ("https://user@images.example.com/a.jpg", False),
        ("https://1.2.3.4/a.jpg", False),
        ("https://xn--bcher-kva.example/a.jpg", False),
        ("https://images.example.com:65536/a.jpg", False),
        ("https://", False),
    ],
)
def test_image_urls_match_the_published_pattern(url: str, accepted: bool) -> None:
    assert bool(re.fullmatch(HTTPS_URL_PATTERN, url)) is accepted
    if accepted:
        ProductIn.model_validate(product(image_urls=[url]))
    else:
        with pytest.raises(ValidationError):
            ProductIn.model_validate(product(image_urls=[url]))


def test_patch_schema_allows_no_null_and_asks_for_one_field() -> None:
    schema = ProductPatch.model_json_schema()
    assert schema["minProperties"] == 1
    assert all(
        "anyOf" not in field and field.get("type") != "null" for field in schema["properties"].values()
    )


@pytest.mark.parametrize(
    "name",
    [
        "\x00\x00",
        "\u200b\u200b",  # zero-width spaces
        "\u202eevil",  # a right-to-left override
        "Coffee \u2066beans",  # an isolate
        "bell\x07",
        "\x1b[31mred\x1b[0m",  # ANSI colours
        "\ufeff",
        "\u3164",  # a Hangul filler
        " \t ",
    ],
)
def test_names_that_show_nothing_or_hide_control_characters_are_refused(name: str) -> None:
    assert not re.fullmatch(NAME_PATTERN, name.strip())
    with pytest.raises(ValidationError) as exc:
        ProductIn.model_validate(product(name=name))
    assert [e["loc"] for e in exc.value.errors()] == [("name",)]


@pytest.mark.parametrize(
    "name", ["Café crème", "東京ロースト", "Blend №5 \u2013 dark", "👩‍🍳 Chef's pick", "A"]
)
def test_names_in_any_script_are_accepted(name: str) -> None:
    assert re.fullmatch(NAME_PATTERN, name)
    assert ProductIn.model_validate(product(name=name)).name == name


def test_a_description_may_break_lines_but_hold_no_control_characters() -> None:
    assert ProductIn.model_validate(product(description="Dark.\nSweet.\r\n\tRoasted.")).description
    for bad in ["\x00", "\x1b[2J", "\u202e"]:
        assert not re.fullmatch(TEXT_PATTERN, bad)
        with pytest.raises(ValidationError):
            ProductIn.model_validate(product(description=f"ok {bad}"))


@pytest.mark.parametrize("currency", ["ZZZ", "XXX", "XTS", "ABC", "BGN"])
def test_currencies_are_iso_4217_codes_in_circulation(currency: str) -> None:
    with pytest.raises(ValidationError, match="ISO 4217"):
        ProductIn.model_validate(product(price={"amount": 100, "currency": currency}))


def test_the_currency_schema_lists_the_accepted_codes() -> None:
    schema = ProductIn.model_json_schema()["$defs"]["Money"]["properties"]["currency"]
    assert {"EUR", "USD", "JPY", "XCG"} <= set(schema["enum"])
    assert "ZZZ" not in schema["enum"]


def test_an_image_listed_twice_is_refused_as_the_schema_says() -> None:
    url = "https://images.example.com/a.jpg"
    with pytest.raises(ValidationError, match="twice"):
        ProductIn.model_validate(product(image_urls=[url, url]))
    assert ProductIn.model_json_schema()["properties"]["image_urls"]["uniqueItems"] is True


def test_an_integral_float_amount_is_the_integer_json_schema_says_it_is() -> None:
    parsed = ProductIn.model_validate(product(price={"amount": 1890.0, "currency": "EUR"}))
    assert type(parsed.price.amount) is int


@pytest.mark.parametrize("field", ["name", "description", "price", "category", "image_urls"])
def test_a_null_in_a_patch_is_one_error_located_at_its_field(field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        ProductPatch.model_validate({field: None})
    assert [e["loc"] for e in exc.value.errors()] == [(field,)]
