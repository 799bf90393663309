"""`python -m devtools.cli.token` mints a token with the running stack's issuer key, and refuses to mint
one that no stack would accept."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

import pytest

from devtools.cli.token import main
from devtools.devstack.issuer import AUDIENCE, ISSUER, LocalIssuer
from foyer.identity.tokens import Jwks, TokenVerifier


@contextmanager
def serving(jwks: dict[str, Any]) -> Iterator[str]:
    """A JWKS URL on 127.0.0.1 serving `jwks`."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(jwks).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


def write_stack_file(state_dir: Path, jwks_url: str) -> None:
    stack = {
        "region": "eu-west-1",
        "emulator": {"endpoint": "http://127.0.0.1:1"},
        "tables": {},
        "functions": {},
        "ports": {},
        "identity": {"issuer": ISSUER, "audience": AUDIENCE, "jwks_url": jwks_url},
    }
    (state_dir / "stack.json").write_text(json.dumps(stack))


def test_the_minted_token_verifies_for_the_named_user(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    LocalIssuer.ensure(tmp_path / "issuer")
    assert main(["--user", "grace", "--state-dir", str(tmp_path)]) == 0
    token = capsys.readouterr().out.strip()
    verifier = TokenVerifier(
        Jwks((tmp_path / "issuer" / "jwks.json").as_uri()), issuer=ISSUER, audience=AUDIENCE
    )
    assert verifier.verify(token).subject == "grace"


def test_no_key_is_created_where_no_stack_made_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--state-dir", str(tmp_path)]) == 2
    assert "--state-dir" in capsys.readouterr().err
    assert not (tmp_path / "issuer").exists()


def test_the_stack_file_named_in_the_environment_picks_the_state_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    issuer = LocalIssuer.ensure(tmp_path / "issuer")
    with serving(issuer.jwks()) as url:
        write_stack_file(tmp_path, url)
        monkeypatch.setenv("FOYER_STACK_FILE", str(tmp_path / "stack.json"))
        assert main([]) == 0
    assert capsys.readouterr().out.count(".") == 2  # one JWT


def test_a_key_the_running_issuer_does_not_serve_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    LocalIssuer.ensure(tmp_path / "issuer")  # a key left by an earlier stack
    with serving(LocalIssuer.generate().jwks()) as url:  # the running stack keeps its key elsewhere
        write_stack_file(tmp_path, url)
        assert main(["--state-dir", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "serves other keys" in captured.err


def test_a_ttl_that_is_not_positive_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--ttl", "0", "--state-dir", str(tmp_path)])
