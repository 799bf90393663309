"""Every Terraform README's Requirements/Inputs/Outputs tables agree with its `.tf` files.

The tables are generated (`make docs`, `python -m devtools.cli.tfdocs`); this reads the committed ones
back and names every row that disagrees with `variables.tf`, `outputs.tf` and `versions.tf`, then
checks the README is exactly what the generator writes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.cli.tfdocs import BEGIN, END, TERRAFORM, documented_configs, generate, tables
from devtools.terraform_source import read_module

CONFIGS = documented_configs()


def committed_rows(readme: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """Section heading => row name => cells, read from the marked part of a README."""
    start, end = readme.find(BEGIN), readme.find(END)
    assert 0 <= start < end, f"no {BEGIN} ... {END} section"
    sections: dict[str, dict[str, tuple[str, ...]]] = {}
    heading = ""
    for line in readme[start:end].splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
            sections[heading] = {}
        elif line.startswith("| ") and heading:
            cells = tuple(cell.strip() for cell in line.strip()[1:-1].split(" | "))
            if cells[0] != "Name":
                sections[heading][cells[0]] = cells
    return sections


def test_every_module_and_root_is_documented() -> None:
    names = {path.relative_to(TERRAFORM).as_posix() for path in CONFIGS}
    assert {"modules/dynamodb_table", "modules/lambda_app", "environments/local"} <= names


@pytest.mark.parametrize("config", CONFIGS, ids=lambda path: path.relative_to(TERRAFORM).as_posix())
def test_readme_tables_match_the_code(config: Path) -> None:
    readme = config / "README.md"
    assert readme.exists(), f"{readme} is missing"
    text = readme.read_text(encoding="utf-8")
    committed = committed_rows(text)
    problems: list[str] = []
    for table in tables(read_module(config)):
        rows = committed.get(table.heading, {})
        wanted = {row[0]: row for row in table.rows}
        heading = table.heading
        problems += [f"{heading}: `{name}` is not documented" for name in wanted.keys() - rows.keys()]
        problems += [
            f"{heading}: `{name}` does not exist in the code" for name in rows.keys() - wanted.keys()
        ]
        problems += [
            f"{table.heading}: `{name}` says {rows[name][1:]} but the code says {wanted[name][1:]}"
            for name in sorted(wanted.keys() & rows.keys())
            if rows[name] != wanted[name]
        ]
    listing = "\n".join(sorted(problems))
    assert not problems, f"{readme} disagrees with the code (run `make docs`):\n{listing}"
    assert text == generate(text, read_module(config)), f"{readme} is not what `make docs` writes"
