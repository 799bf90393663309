"""The forged-token table: tokens a verifier must refuse, each built from a genuine issuer's key.

Used by the tests of the shared verifier (foyer.identity.tokens), the local dependency
(foyer.identity.dependencies) and the authorizer Lambda (bff/authorizer), so all three refuse the
same forgeries.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from devtools.devstack.issuer import LocalIssuer

NOW = 1_800_000_000.0  # the verifier's clock in these tests: fixed, no test depends on wall time


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segments(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"


def claims(issuer: LocalIssuer, **overrides: Any) -> dict[str, Any]:
    base = {
        "iss": issuer.issuer,
        "aud": issuer.audience,
        "sub": "ada",
        "iat": int(NOW),
        "exp": int(NOW) + 600,
    }
    return {**base, **overrides}


def alg_none(issuer: LocalIssuer) -> str:
    return _segments({"alg": "none", "kid": issuer.kid, "typ": "JWT"}, claims(issuer)) + "."


def hs256_with_public_key(issuer: LocalIssuer) -> str:
    """The classic algorithm confusion: HMAC keyed with the public key's PEM, which anyone has."""
    signing_input = _segments({"alg": "HS256", "kid": issuer.kid, "typ": "JWT"}, claims(issuer))
    secret = issuer.key.as_pem(private=False)
    return signing_input + "." + _b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())


def expired(issuer: LocalIssuer) -> str:
    return issuer.mint(now=NOW - 3600, ttl_s=600)  # expired 50 minutes ago: beyond any leeway


def not_yet_valid(issuer: LocalIssuer) -> str:
    return issuer.mint(now=NOW, nbf=int(NOW) + 3600)


def wrong_audience(issuer: LocalIssuer) -> str:
    return issuer.mint(now=NOW, aud="someone-else")


def wrong_issuer(issuer: LocalIssuer) -> str:
    return issuer.mint(now=NOW, iss="https://evil.example")


def unknown_kid(issuer: LocalIssuer) -> str:
    return LocalIssuer.generate("not-published").mint(now=NOW)


def other_key_same_kid(issuer: LocalIssuer) -> str:
    """Signed by a key the issuer never published, under the published key's kid."""
    return LocalIssuer.generate(issuer.kid).mint(now=NOW)


def tampered_payload(issuer: LocalIssuer) -> str:
    header, _, signature = issuer.mint(now=NOW).split(".")
    forged = _b64(json.dumps(claims(issuer, sub="mallory")).encode())
    return f"{header}.{forged}.{signature}"


def no_expiry(issuer: LocalIssuer) -> str:
    token_claims = claims(issuer)
    del token_claims["exp"]
    return _sign(issuer, token_claims)


def _sign(issuer: LocalIssuer, token_claims: dict[str, Any]) -> str:
    from joserfc import jwt

    return jwt.encode({"alg": "RS256", "kid": issuer.kid}, token_claims, issuer.key)


def not_a_jwt(issuer: LocalIssuer) -> str:
    return "not-a-token"


FORGERIES: dict[str, Callable[[LocalIssuer], str]] = {
    "alg none": alg_none,
    "HS256 signed with the public key": hs256_with_public_key,
    "expired": expired,
    "not yet valid": not_yet_valid,
    "wrong audience": wrong_audience,
    "wrong issuer": wrong_issuer,
    "unknown kid": unknown_kid,
    "another key under the published kid": other_key_same_kid,
    "tampered payload": tampered_payload,
    "no expiry": no_expiry,
    "not a JWT": not_a_jwt,
}


def genuine(issuer: LocalIssuer) -> str:
    """A token every verifier must accept at NOW."""
    return issuer.mint(now=NOW, ttl_s=600)


def now() -> float:
    return NOW


# Malformed tokens: the shapes a careless or hostile client sends, for every place that verifies one.

_NAMES = st.sampled_from(["alg", "kid", "typ", "crit", "jku", "x5u", "b64", "zip", "enc"]) | st.text(
    max_size=8
)
_TEXT = st.text(max_size=300) | st.sampled_from(["RS256", "none", "HS256", "算法", "RS256\x00", "\ud800"])
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_NAMES, inner, max_size=4),
    max_leaves=12,
)


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


@st.composite
def _nested(draw: st.DrawFn) -> bytes:
    """A JSON document nested deeper than the decoder's recursion limit, somewhere in a header."""
    depth = draw(st.integers(min_value=900, max_value=4000))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    deep = opener * depth + "1" + closer * depth
    return draw(st.sampled_from([deep, f'{{"alg":"RS256","kid":{deep}}}', f'{{"alg":{deep}}}'])).encode()


_SEGMENT_BYTES = (
    st.builds(_json_bytes, _JSON)
    | st.builds(_json_bytes, st.dictionaries(_NAMES, _JSON, max_size=5))
    | _nested()
    | st.binary(max_size=200)
)
_SEGMENT = st.builds(_b64, _SEGMENT_BYTES) | st.text(max_size=40)


@st.composite
def malformed_tokens(draw: st.DrawFn) -> str:
    """A token no issuer signed: arbitrary text, or two to four segments, each base64url of JSON
    (any value, any header member, nested thousands deep), of bytes, or not base64 at all."""
    if draw(st.booleans()):
        return draw(st.text(max_size=200))
    segments = draw(st.lists(_SEGMENT, min_size=2, max_size=4))
    return ".".join(segments)


def _with_header(header: str, claims_: str = '{"sub":"ada"}') -> str:
    return f"{_b64(header.encode())}.{_b64(claims_.encode())}.{_b64(b'signature')}"


# The shapes seen crashing a verifier, kept as explicit examples of the class above.
MALFORMED_EXAMPLES: dict[str, str] = {
    "header nested 5,000 deep": _with_header("[" * 5000 + "]" * 5000),
    "alg nested 2,000 deep": _with_header('{"alg":' + "[" * 2000 + "]" * 2000 + "}"),
    "alg outside Latin-1": _with_header('{"alg":"算法","kid":"key-1"}'),
    "alg of 20 KB": _with_header(json.dumps({"alg": "A" * 20_000, "kid": "key-1"})),
    "alg of 2 KB": _with_header(json.dumps({"alg": "A" * 2_000, "kid": "key-1"})),
    "alg of 500 line separators": _with_header(json.dumps({"alg": "\u2028" * 500}, ensure_ascii=False)),
    "kid of 900 non-ASCII letters": _with_header(
        json.dumps({"alg": "RS256", "kid": "é" * 900}, ensure_ascii=False)
    ),
    "alg with a quote and a CR": _with_header(json.dumps({"alg": 'RS"\r\nX-Injected: 1'})),
    "header JSON with a lone surrogate": _with_header('{"alg":"\\ud800"}'),
    "header not UTF-8": ".".join([_b64(b'{"alg":"\xff\xfe"}'), _b64(b"{}"), _b64(b"sig")]),
    "header a JSON string": _with_header('"RS256"'),
    "header Infinity": _with_header('{"alg":"RS256","kid":Infinity}'),
    "four segments": _with_header('{"alg":"RS256","kid":"key-1"}') + ".e30",
    "non-ASCII in a segment": "ëyJhbGciOiJSUzI1NiJ9.e30.c2ln",
}
