"""The Terraform README generator: what it writes between the markers, and what --check reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.cli.tfdocs import BEGIN, END, DocsError, main, render, stale_readmes
from devtools.terraform_source import read_module

VARIABLES = """
variable "tags" {
  description = "Tags | with a pipe."
  type = object({
    team = string
  })
  default = { team = "core" }
}

variable "name" {
  type = string
}
"""


@pytest.fixture
def terraform(tmp_path: Path) -> Path:
    module = tmp_path / "modules" / "thing"
    module.mkdir(parents=True)
    (module / "variables.tf").write_text(VARIABLES)
    (module / "README.md").write_text(f"# thing\n\nWritten by hand.\n\n{BEGIN}\nstale\n{END}\n\nAfter.\n")
    return tmp_path


def test_tables_in_terraform_docs_format(terraform: Path) -> None:
    text = render(read_module(terraform / "modules" / "thing"))
    assert text.startswith(BEGIN)
    assert text.endswith(END)
    assert "## Requirements\n\nNo requirements.\n" in text
    assert (
        "| Name | Description | Type | Default | Required |\n"
        "|------|-------------|------|---------|:--------:|\n" in text
    )
    assert "| name | n/a | `string` | n/a | yes |" in text
    assert (
        "| tags | Tags \\| with a pipe. | <pre>object({<br/>    team = string<br/>  })</pre> | "
        '<pre>{<br/>  "team": "core"<br/>}</pre> | no |'
    ) in text
    assert "## Outputs\n\nNo outputs.\n" in text


def test_check_reports_then_rewrite_fixes_keeping_the_prose(terraform: Path) -> None:
    readme = terraform / "modules" / "thing" / "README.md"
    assert main(["--check", "--terraform", str(terraform)]) == 1
    assert "stale" in readme.read_text()
    assert main(["--terraform", str(terraform)]) == 0
    text = readme.read_text()
    assert text.startswith("# thing\n\nWritten by hand.\n\n")
    assert text.endswith(f"{END}\n\nAfter.\n")
    assert "stale" not in text
    assert stale_readmes(terraform) == []


def test_a_readme_without_markers_is_an_error_naming_it(terraform: Path) -> None:
    readme = terraform / "modules" / "thing" / "README.md"
    readme.write_text("# thing\n")
    with pytest.raises(DocsError, match=f"{readme}: no "):
        stale_readmes(terraform)
