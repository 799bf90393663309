"""An issuer's signing keys (its JWKS), fetched over HTTP(S) like any identity provider's, or read
from a `file://` URL (tests that run no server), and cached.

Bounded three ways, since the fetch runs on a request's path: a timeout per fetch, a cap on the
document's size (a JWKS of 2048-bit RSA keys is about 450 bytes a key), and a refetch interval (an
unknown `kid` refetches at most once per `min_refresh_s`, so a flood of made-up kids is not a flood
of fetches). An issuer that cannot be read is never a 401 (the token may be fine) nor a 500: the
keys fetched before keep serving for `max_stale_s` past their age, and with none left the request is
refused with IdentityUnavailable (503 with `Retry-After`), logged once per failed fetch.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from joserfc.jwk import RSAKey

from foyer.identity.exceptions import IdentityUnavailable

MAX_JWKS_BYTES = 64 * 1024
FETCH_TIMEOUT_S = 2.0
log = logging.getLogger("foyer.identity.jwks")

Fetch = Callable[[str], Mapping[str, Any]]


class JwksUnreadable(Exception):
    """The JWKS could not be fetched or is not a JWKS document; the message says why (no secrets)."""


def _http_get(url: str, timeout_s: float, max_bytes: int) -> bytes:
    # Deferred: urllib.request brings http.client and ssl (~15 ms), paid only by a JWKS fetch.
    from http.client import HTTPException
    from urllib.request import Request, urlopen

    request = Request(url, headers={"Accept": "application/json"})  # noqa: S310 - scheme checked by the caller
    try:
        with urlopen(request, timeout=timeout_s) as response:  # noqa: S310 - scheme checked by the caller
            return bytes(response.read(max_bytes + 1))
    except (OSError, HTTPException) as error:  # refused, timed out, 4xx/5xx (HTTPError), cut short
        raise JwksUnreadable(f"{type(error).__name__}: {error}") from None


def fetch_jwks(
    url: str, *, timeout_s: float = FETCH_TIMEOUT_S, max_bytes: int = MAX_JWKS_BYTES
) -> Mapping[str, Any]:
    """The JWKS document at `url` (`https://`, `http://`, or `file://`); JwksUnreadable when it cannot
    be had within `timeout_s`, is over `max_bytes`, or is no JWKS."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        try:
            raw = Path(parts.path).read_bytes()
        except OSError as error:
            raise JwksUnreadable(f"{type(error).__name__}: {error.strerror}") from None
    elif parts.scheme in ("http", "https"):
        raw = _http_get(url, timeout_s, max_bytes)
    else:
        raise ValueError(f"a JWKS URL is https://, http:// or file://, not {url!r}")
    if len(raw) > max_bytes:
        raise JwksUnreadable(f"the document is over {max_bytes} bytes")
    try:
        document = json.loads(raw)
    except ValueError:
        raise JwksUnreadable("the document is not JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise JwksUnreadable("the document is no JWKS (no 'keys' list)")
    return document


def _rsa_signing_keys(document: Mapping[str, Any]) -> dict[str, RSAKey]:
    keys: dict[str, RSAKey] = {}
    for data in document["keys"]:
        if not isinstance(data, dict) or data.get("kty") != "RSA" or "kid" not in data:
            continue  # other key types are not ours to use: RS256 only
        if data.get("use", "sig") != "sig":
            continue
        public = {name: data[name] for name in ("kty", "n", "e", "kid") if name in data}
        keys[str(data["kid"])] = RSAKey.import_key(public)
    return keys


class Jwks:
    """An issuer's RSA signing keys by `kid`, fetched on first use and cached.

    Kept for `max_age_s`; a token naming a `kid` the cache lacks triggers one refetch (the issuer may
    have rotated), at most once per `min_refresh_s` (failed fetches included). When a refetch fails
    the keys in hand keep serving until `max_age_s + max_stale_s` after they were fetched.
    """

    def __init__(
        self,
        url: str,
        *,
        fetch: Fetch = fetch_jwks,
        max_age_s: float = 300.0,
        min_refresh_s: float = 30.0,
        max_stale_s: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self._fetch = fetch
        self._max_age_s = max_age_s
        self._min_refresh_s = min_refresh_s
        self._max_stale_s = max_stale_s
        self._clock = clock
        self._keys: dict[str, RSAKey] = {}
        self._fetched_at: float | None = None
        self._tried_at: float | None = None
        self._lock = threading.Lock()

    def key(self, kid: str) -> RSAKey | None:
        """The RSA key published under `kid`, or None when the issuer does not publish one; raises
        IdentityUnavailable when the issuer's keys cannot be read and none are kept."""
        with self._lock:
            now = self._clock()
            stale = self._fetched_at is None or now - self._fetched_at >= self._max_age_s
            may_fetch = self._tried_at is None or now - self._tried_at >= self._min_refresh_s
            if (stale or kid not in self._keys) and may_fetch:
                self._refresh(now)
            if self._fetched_at is None or now - self._fetched_at >= self._max_age_s + self._max_stale_s:
                assert self._tried_at is not None
                wait = self._min_refresh_s - (now - self._tried_at)
                raise IdentityUnavailable(
                    "The token issuer's signing keys cannot be read; retry shortly.",
                    retry_after_s=max(1, math.ceil(wait)),
                )
            return self._keys.get(kid)

    def _refresh(self, now: float) -> None:
        self._tried_at = now
        try:
            keys = _rsa_signing_keys(self._fetch(self.url))
        except (JwksUnreadable, ValueError) as error:
            kept = (
                "no keys kept"
                if self._fetched_at is None
                else f"keeping {len(self._keys)} keys fetched {now - self._fetched_at:.0f} s ago"
            )
            log.error("JWKS %s unreadable (%s); %s", self.url, error, kept)
            return
        self._keys, self._fetched_at = keys, now
