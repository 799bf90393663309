"""foyer.contracts.email_address: an address as SES parses it, in the form it sends to."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from foyer.contracts.email_address import EmailAddress, UnsendableAddress, mailbox
from tests.email_addresses import SENDABLE, UNSENDABLE


class Contact(BaseModel):
    email: EmailAddress


@pytest.mark.parametrize("address", UNSENDABLE)
def test_an_address_ses_refuses_is_refused(address: str) -> None:
    with pytest.raises(UnsendableAddress, match=r"^not an address mail can be sent to: "):
        mailbox(address)
    with pytest.raises(ValidationError):
        Contact(email=address)


@pytest.mark.parametrize(("address", "kept"), SENDABLE.items())
def test_a_sendable_address_is_kept_as_ses_sends_to_it(address: str, kept: str) -> None:
    assert mailbox(address) == kept
    assert Contact(email=address).email == kept
    assert kept.isascii()


def test_the_schema_publishes_the_bound_and_the_format() -> None:
    schema = Contact.model_json_schema()["properties"]["email"]
    assert (schema["type"], schema["format"], schema["maxLength"]) == ("string", "email", 254)
