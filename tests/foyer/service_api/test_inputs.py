"""foyer.service_api.inputs: what a BFF accepts is what the orders service accepts, so that a client's
mistake is refused in the client's words (422 naming its field), never as the service's refusal."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from foyer.service_api.inputs import CheckoutIn, Lines


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
