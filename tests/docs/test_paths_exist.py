"""Every repository path the docs and the code's comments name exists, and every relative link in the
docs leads to a file: a moved file cannot leave a stale pointer behind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.docs.product_text import NOT_SOURCE, REPO, Line, code_prose, markdown_files, prose_lines


def top_level_folders(repo: Path = REPO) -> list[str]:
    return sorted(p.name for p in repo.iterdir() if p.is_dir() and p.name not in NOT_SOURCE)


def repository_paths(text: str, folders: list[str]) -> list[str]:
    """The paths in text that start at one of the repository's top-level folders.

    A path ends where a placeholder (`<name>`, `{dev,prod}`, `*`) or a non-path character begins, so
    `services/<name>/app.py` names `services/`; a trailing dot or colon is punctuation; an S3 key
    (`key = "foyer/bootstrap/terraform.tfstate"`, or key `foyer/dev/terraform.tfstate`) is not a path
    of the repository.
    """
    roots = "|".join(re.escape(folder) for folder in folders)
    pattern = re.compile(r"(?<![\w./\"-])(?<!key `)(?:" + roots + r")/[\w./-]*")
    return [match.group().rstrip(".:") for match in pattern.finditer(text)]


def relative_links(line: Line) -> list[str]:
    """The targets of a Markdown line's relative links, without their #fragment."""
    targets = re.findall(r"\]\(([^)\s]+)\)", line.text)
    return [t.split("#")[0] for t in targets if not re.match(r"[a-z]+:|#", t) and t.split("#")[0]]


def missing(lines: list[Line], folders: list[str]) -> list[str]:
    gone = []
    for line in lines:
        for path in repository_paths(line.text, folders):
            if not (REPO / path).exists():
                gone.append(f"{line}  <- {path}")
        if line.path.suffix == ".md":
            for target in relative_links(line):
                resolved = (line.path.parent / target).resolve()
                if not resolved.exists():
                    gone.append(f"{line}  <- link {target}")
    return gone


@pytest.mark.parametrize(
    ("text", "paths"),
    [
        ("see `terraform/modules/platform/edge.tf`.", ["terraform/modules/platform/edge.tf"]),
        ("each `services/<name>/handler.py`", ["services/"]),
        ("roots `terraform/environments/{dev,prod}`", ["terraform/environments/"]),
        ("the secret foyer-local/payment-provider/api-key", []),
        ("http://127.0.0.1:8101/products and .local/stack.json", []),
        ("(in devtools/cli/package.py):", ["devtools/cli/package.py"]),
        ('backend "s3" { key = "foyer/bootstrap/terraform.tfstate" }', []),
        ("the state's key `foyer/dev/terraform.tfstate`", []),
    ],
)
def test_paths_are_read_as_a_reader_would(text: str, paths: list[str]) -> None:
    assert repository_paths(text, ["devtools", "foyer", "services", "terraform"]) == paths


def test_a_moved_file_is_reported() -> None:
    doc = REPO / "README.md"
    lines = [Line(doc, 1, "declared in `terraform/environments/local/main.tf`"), Line(doc, 2, "[x](gone.md)")]
    assert len(missing(lines, top_level_folders())) == 2


def test_every_path_the_docs_name_exists() -> None:
    lines = [line for path in markdown_files() for line in prose_lines(path)]
    gone = missing(lines, top_level_folders())
    assert not gone, "these paths do not exist:\n" + "\n".join(gone)


def test_every_path_the_comments_name_exists() -> None:
    gone = missing(list(code_prose()), top_level_folders())
    assert not gone, "these paths do not exist:\n" + "\n".join(gone)
