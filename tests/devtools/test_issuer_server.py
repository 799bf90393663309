"""devtools.devstack.issuer_server: the local issuer's JWKS and OpenID configuration over HTTP, which
the shared verifier reads like a real identity provider's (a server on an ephemeral port)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devtools.devstack.issuer import LocalIssuer
from devtools.devstack.issuer_server import CONFIGURATION_PATH, JWKS_PATH, serve
from foyer.identity.tokens import Jwks, TokenVerifier


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    server = serve(tmp_path, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_jwks_and_the_configuration_are_published(served: str, tmp_path: Path) -> None:
    jwks = httpx.get(served + JWKS_PATH)
    assert (jwks.status_code, jwks.headers["content-type"]) == (200, "application/json")
    assert [key["kid"] for key in jwks.json()["keys"]] == [LocalIssuer.ensure(tmp_path).kid]
    assert all("d" not in key for key in jwks.json()["keys"])  # never the private part
    configuration = httpx.get(served + CONFIGURATION_PATH).json()
    assert configuration["jwks_uri"] == served + JWKS_PATH
    assert configuration["issuer"] == LocalIssuer.ensure(tmp_path).issuer
    assert configuration["id_token_signing_alg_values_supported"] == ["RS256"]


def test_a_token_of_the_local_issuer_verifies_against_the_served_keys(served: str, tmp_path: Path) -> None:
    issuer = LocalIssuer.ensure(tmp_path)
    verifier = TokenVerifier(Jwks(served + JWKS_PATH), issuer=issuer.issuer, audience=issuer.audience)
    assert verifier.verify(issuer.mint()).subject == "ada"


def test_anything_else_is_a_404_problem(served: str) -> None:
    missing = httpx.get(served + "/.well-known/other")
    assert (missing.status_code, missing.headers["content-type"]) == (404, "application/problem+json")
