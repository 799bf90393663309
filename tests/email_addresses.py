"""Addresses for every place an address enters (checkout at the BFFs, placement at orders, the e-mail
channel of notifications): those SES refuses and those it sends to, with the form kept."""

from __future__ import annotations

# What a careless or hostile client sends, and SES refuses (it parses an RFC 5322 addr-spec, 7-bit
# ASCII: no SMTPUTF8).
UNSENDABLE = [
    "<script>@example.com",
    "a,b@example.com",
    "a;b@example.com",
    "ada\u202eevil@example.com",  # a right-to-left override
    "ad\u200ba@example.com",  # a zero-width space
    "jos\u00e9@example.com",  # a non-ASCII local part (SMTPUTF8)
    "Ada <ada@example.com>",  # a display name
    '"ada lovelace"@example.com',  # a quoted local part
    "ada@[192.0.2.1]",  # an IP literal
    "ada@example.com\r\nBcc: all@example.com",
    " ada@example.com",
    "a b@example.com",
    "ada.@example.com",
    "ada..lovelace@example.com",
    "ada@localhost",
    "ada@example.test",  # a special-use domain
    "ada@-example.com",
    "ada@example",
    "a" * 65 + "@example.com",  # a local part over 64 characters
    "ada@" + "d" * 250 + ".com",
    "not-an-address",
    "@example.com",
    "ada@",
]

# Sendable addresses, with the form kept (and sent to): the domain lowercase, an internationalized
# domain as punycode.
SENDABLE = {
    "ada@example.com": "ada@example.com",
    "Ada.Lovelace+orders@Example.COM": "Ada.Lovelace+orders@example.com",
    "o'brien@example.co.uk": "o'brien@example.co.uk",
    "ada@b\u00fccher.example": "ada@xn--bcher-kva.example",
    "a" * 64 + "@example.com": "a" * 64 + "@example.com",
}
