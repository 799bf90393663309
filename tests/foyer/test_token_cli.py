"""`python -m foyer.cli.token` mints a token that verifies against the local issuer's JWKS file."""

from __future__ import annotations

from pathlib import Path

import pytest

from foyer.cli.token import main
from foyer.devstack.issuer import AUDIENCE, ISSUER
from foyer.identity.tokens import Jwks, TokenVerifier


def test_the_minted_token_verifies_for_the_named_user(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--user", "grace", "--state-dir", str(tmp_path)]) == 0
    token = capsys.readouterr().out.strip()
    verifier = TokenVerifier(
        Jwks((tmp_path / "issuer" / "jwks.json").as_uri()), issuer=ISSUER, audience=AUDIENCE
    )
    assert verifier.verify(token).subject == "grace"


def test_a_ttl_that_is_not_positive_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--ttl", "0", "--state-dir", str(tmp_path)])
