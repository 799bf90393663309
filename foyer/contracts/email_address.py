"""E-mail addresses as the sender parses them: an RFC 5322 addr-spec that SES will send to.

`email-validator` reads the address (the same library pydantic's `EmailStr` uses, with stricter
options than `EmailStr`'s): a dot-atom local part of 7-bit ASCII (SES does not support SMTPUTF8, so
a non-ASCII local part could never be sent), no quoted local part, no display name (`Ada
<ada@example.com>`), no IP-literal domain, a domain of at least two labels that is not a special-use
name (`.test`, `.localhost`, ...). Commas, semicolons, angle brackets, blanks, controls and
bidirectional overrides are refused with it. The address kept is its ASCII form: the domain in
lowercase, an internationalized domain as punycode (what SES asks for). Nothing is looked up: whether
the mailbox exists is for the mail server to say.
"""

from __future__ import annotations

from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, StringConstraints, WithJsonSchema

MAX_LENGTH = 254  # RFC 5321's limit on a forward path, less its angle brackets


class UnsendableAddress(ValueError):
    """An address the sender would refuse (the message says why, never repeating the address)."""


def mailbox(address: str) -> str:
    """`address` in the form SES sends to. Raises UnsendableAddress (a ValueError) for any address
    it would refuse."""
    try:
        parsed = validate_email(
            address,
            check_deliverability=False,
            allow_smtputf8=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
            allow_empty_local=False,
            strict=True,
        )
    except EmailNotValidError as exc:
        raise UnsendableAddress(f"not an address mail can be sent to: {exc}") from None
    # None only for an address that needs SMTPUTF8, which allow_smtputf8=False has refused.
    ascii_form = parsed.ascii_email
    if ascii_form is None or len(ascii_form) > MAX_LENGTH:
        raise UnsendableAddress(f"not an address mail can be sent to: over {MAX_LENGTH} ASCII characters")
    return ascii_form


# A field holding an address (request bodies of the BFFs and of orders): validated by `mailbox`, the
# schema publishing its bound and format (a pattern could not say what the parser does).
EmailAddress = Annotated[
    str,
    StringConstraints(max_length=MAX_LENGTH),
    AfterValidator(mailbox),
    WithJsonSchema(
        {
            "type": "string",
            "format": "email",
            "maxLength": MAX_LENGTH,
            "description": (
                "An RFC 5322 addr-spec with a 7-bit ASCII local part (no quotes, no display name, "
                "no IP-literal domain)"
            ),
        }
    ),
]
