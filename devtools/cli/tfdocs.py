"""Write the Requirements, Inputs and Outputs tables of every Terraform README (`make docs`).

Each module (`terraform/modules/*`) and root (`terraform/environments/*`) has a README.md whose tables
between `<!-- BEGIN_TF_DOCS -->` and `<!-- END_TF_DOCS -->` are generated from its `.tf` files, in
terraform-docs' markdown table format (rows sorted by name, no anchors), so nobody writes them by hand
and they cannot drift: `--check` lists the READMEs that differ from what would be generated and exits 1
(`make docs` rewrites them; the test suite checks them).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from devtools.terraform_source import Module, Variable, read_module, to_json

__all__ = [
    "BEGIN",
    "END",
    "DocsError",
    "Table",
    "documented_configs",
    "generate",
    "main",
    "render",
    "stale_readmes",
    "tables",
]

BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"
TERRAFORM = Path(__file__).resolve().parents[2] / "terraform"
_KINDS = ("modules", "environments")


class DocsError(ValueError):
    """A README cannot take generated tables (no markers, or markers out of order)."""


@dataclass(frozen=True)
class Table:
    """One generated section: its heading, header row and body rows (name first)."""

    heading: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str  # what terraform-docs prints instead of an empty table

    def markdown(self) -> str:
        if not self.rows:
            return f"## {self.heading}\n\n{self.empty}\n"
        # terraform-docs' separator row: dashes as wide as the padded heading, Required centred.
        align = [f"|:{'-' * len(h)}:" if h == "Required" else "|" + "-" * (len(h) + 2) for h in self.header]
        lines = [
            "| " + " | ".join(self.header) + " |",
            "".join(align) + "|",
            *("| " + " | ".join(row) + " |" for row in self.rows),
        ]
        return f"## {self.heading}\n\n" + "\n".join(lines) + "\n"


def documented_configs(terraform: Path = TERRAFORM) -> list[Path]:
    """Every module and root directory: the ones whose README must carry generated tables."""
    return sorted(
        directory
        for kind in _KINDS
        for directory in (terraform / kind).glob("*")
        if directory.is_dir() and any(directory.glob("*.tf"))
    )


def tables(module: Module) -> list[Table]:
    """The Requirements, Inputs and Outputs tables of one module."""
    requirements = [("terraform", _cell(module.required_version))] if module.required_version else []
    requirements += [
        (name, _cell(spec.get("version", "n/a"))) for name, spec in module.required_providers.items()
    ]
    inputs = [_input_row(v) for v in sorted(module.variables, key=lambda v: v.name)]
    outputs = [(o.name, _cell(o.description or "n/a")) for o in sorted(module.outputs, key=lambda o: o.name)]
    return [
        Table("Requirements", ("Name", "Version"), tuple(requirements), "No requirements."),
        Table("Inputs", ("Name", "Description", "Type", "Default", "Required"), tuple(inputs), "No inputs."),
        Table("Outputs", ("Name", "Description"), tuple(outputs), "No outputs."),
    ]


def render(module: Module) -> str:
    """The text between (and including) the markers for `module`."""
    return BEGIN + "\n" + "\n".join(t.markdown() for t in tables(module)) + END


def generate(readme: str, module: Module) -> str:
    """`readme` with its marked section replaced by freshly generated tables."""
    start, end = readme.find(BEGIN), readme.find(END)
    if start < 0 or end < start:
        raise DocsError(f"no {BEGIN} ... {END} section (in that order) to write the tables into")
    return readme[:start] + render(module) + readme[end + len(END) :]


def stale_readmes(terraform: Path = TERRAFORM, *, write: bool = False) -> list[Path]:
    """READMEs whose tables differ from the generated ones (rewritten first when `write`)."""
    stale: list[Path] = []
    for directory in documented_configs(terraform):
        readme = directory / "README.md"
        current = readme.read_text(encoding="utf-8") if readme.exists() else ""
        try:
            wanted = generate(current, read_module(directory))
        except DocsError as error:
            raise DocsError(f"{readme}: {error}") from None
        if wanted != current:
            stale.append(readme)
            if write:
                readme.write_text(wanted, encoding="utf-8")
    return stale


def _input_row(variable: Variable) -> tuple[str, ...]:
    if variable.default is None:
        default = "n/a"
    elif variable.literal:
        default = _code(to_json(variable.value))
    else:
        default = _code(variable.default)
    return (
        variable.name,
        _cell(variable.description or "n/a"),
        _code(variable.type or "any"),
        default,
        "yes" if variable.required else "no",
    )


def _cell(text: str) -> str:
    return text.strip().replace("|", "\\|").replace("\n", "<br/>")


def _code(text: str) -> str:
    """Code in a table cell as terraform-docs writes it: `inline`, or <pre> when it spans lines."""
    if "\n" in text:
        return "<pre>" + text.replace("|", "\\|").replace("\n", "<br/>") + "</pre>"
    escaped = text.replace("|", "\\|")
    return f"`{escaped}`" if "`" not in text else f"`` {escaped} ``"


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite the tables (default) or, with --check, list stale READMEs and exit 1 when there are any."""
    parser = argparse.ArgumentParser(
        prog="python -m devtools.cli.tfdocs", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a README is stale")
    parser.add_argument("--terraform", type=Path, default=TERRAFORM, help="the terraform/ directory")
    args = parser.parse_args(argv)
    stale = stale_readmes(args.terraform, write=not args.check)
    for readme in stale:
        print(f"{'stale' if args.check else 'rewrote'}: {readme}")
    if args.check and stale:
        print("run `make docs` to regenerate them", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
