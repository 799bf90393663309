"""bff.shared.inputs: what a BFF accepts is what the orders service and the mail sender accept,
so that a client's mistake is refused in the client's words (422 naming its field), never as the
service's refusal or as an e-mail that cannot go out."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from bff.shared.inputs import CheckoutIn, Lines
from tests.email_addresses import SENDABLE, UNSENDABLE

LINES = [{"sku": "COF-001", "quantity": 1}]


@pytest.mark.parametrize("address", UNSENDABLE)
def test_a_checkout_with_an_address_ses_refuses_is_refused(address: str) -> None:
    with pytest.raises(ValidationError) as exc:
        CheckoutIn.model_validate({"contact_email": address, "lines": LINES})
    assert [error["loc"] for error in exc.value.errors()] == [("contact_email",)]


@pytest.mark.parametrize(("address", "kept"), SENDABLE.items())
def test_a_checkout_passes_the_address_on_as_mail_is_sent_to_it(address: str, kept: str) -> None:
    assert CheckoutIn.model_validate({"contact_email": address, "lines": LINES}).contact_email == kept


def test_a_checkout_naming_a_sku_twice_is_refused_at_the_bff() -> None:
    lines = [{"sku": "ABC", "quantity": 1}, {"sku": "XYZ", "quantity": 2}, {"sku": "ABC", "quantity": 3}]
    with pytest.raises(ValidationError, match="repeated: ABC") as refused:
        CheckoutIn.model_validate({"contact_email": "ada@example.com", "lines": lines})
    assert refused.value.errors()[0]["loc"] == ("lines",)
    with pytest.raises(ValidationError, match="repeated: ABC"):
        TypeAdapter(Lines).validate_python(lines)  # the partner BFF's order lines too


def test_distinct_skus_pass() -> None:
    lines = [{"sku": "ABC", "quantity": 1}, {"sku": "XYZ", "quantity": 2}]
    assert len(CheckoutIn.model_validate({"contact_email": "ada@example.com", "lines": lines}).lines) == 2
