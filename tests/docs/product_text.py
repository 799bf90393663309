"""The prose a reader meets in the repository: README and docs, and the comments, docstrings and test
names of the code, each line with where it is, for the checks on what that prose may say."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Made by the tools (environments, build output, local state, caches): not the product's text.
NOT_SOURCE = {
    ".git", ".venv", ".tools", ".local", "dist", "build", ".terraform", "__pycache__",
    ".pytest_cache", ".mypy_cache", ".ruff_cache", "node_modules",
}  # fmt: skip
CODE_ROOTS = ("foyer", "devtools", "services", "bff", "bench", "terraform", "tests")
# This folder's own checks spell the phrases and paths they look for.
CHECKS = REPO / "tests" / "docs"


@dataclass(frozen=True)
class Line:
    path: Path
    number: int
    text: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.number}: {self.text.strip()}"


def source_files(root: Path, suffix: str) -> Iterator[Path]:
    """Every file under root ending in suffix, outside tool output and this folder."""
    for path in sorted(root.rglob(f"*{suffix}")):
        parts = set(path.relative_to(REPO).parts)
        if parts & NOT_SOURCE or CHECKS in path.parents or not path.is_file():
            continue
        yield path


def markdown_files() -> list[Path]:
    """The README, everything under docs/ and the Terraform READMEs (the CHANGELOG is history by design)."""
    return [REPO / "README.md", *source_files(REPO / "docs", ".md"), *source_files(REPO / "terraform", ".md")]


def prose_lines(path: Path) -> Iterator[Line]:
    """Each line of a Markdown file."""
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        yield Line(path, number, text)


def python_prose(path: Path) -> Iterator[Line]:
    """The comments, docstrings and test names of a Python module."""
    source = path.read_text(encoding="utf-8")
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield Line(path, token.start[0], token.string)
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            first = body[0] if body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                for offset, text in enumerate(str(first.value.value).splitlines()):
                    yield Line(path, first.lineno + offset, text)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
            yield Line(path, node.lineno, node.name.replace("_", " "))


_HASH_COMMENT = re.compile(r"""^(?:[^"'#]|"[^"]*"|'[^']*')*?#(?P<comment>.*)$""")
_HCL_COMMENT = re.compile(r"""^(?:[^"'#/]|"[^"]*"|'[^']*'|/(?!/))*?(?:#|//)(?P<comment>.*)$""")


def hash_comments(path: Path) -> Iterator[Line]:
    """The `#` (and, in Terraform, `//`) comments of a Terraform, Makefile or TOML file."""
    pattern = _HCL_COMMENT if path.suffix == ".tf" else _HASH_COMMENT
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = pattern.match(text)
        if match:
            yield Line(path, number, match["comment"])


def code_prose() -> Iterator[Line]:
    """Comments, docstrings and test names of the Python, Terraform, Makefile and pyproject.toml."""
    for root in CODE_ROOTS:
        for path in source_files(REPO / root, ".py"):
            yield from python_prose(path)
        for path in source_files(REPO / root, ".tf"):
            yield from hash_comments(path)
    yield from hash_comments(REPO / "Makefile")
    yield from hash_comments(REPO / "pyproject.toml")


def every_prose_line() -> Iterator[Line]:
    """The README, docs/ and the code's prose."""
    for path in markdown_files():
        yield from prose_lines(path)
    yield from code_prose()
