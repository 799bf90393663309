"""foyer.service_api.inputs: a checkout (web and mobile) refuses an address the mail sender would."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from foyer.service_api.inputs import CheckoutIn
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
