"""Read the variables, outputs and requirements of a Terraform directory, as terraform-config-inspect does.

python-hcl2 cannot live in the main environment (checkov pins a fork of it), so this is a small reader
of the HCL native syntax: it finds the top-level blocks of every `*.tf` file in one directory and the
attributes of their bodies, skipping comments, strings (with `${...}` templates, which may nest strings
and braces), heredocs and nested blocks. Attribute values stay as source text; `literal` turns the
literal ones (strings, numbers, bools, null, lists, objects) into Python values. Anything the reader
does not understand raises `HclError` naming the file and line rather than reading it wrong.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Block",
    "HclError",
    "Module",
    "NotLiteral",
    "Output",
    "Variable",
    "decode_string",
    "literal",
    "parse",
    "read_module",
    "to_json",
]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")
_CLOSERS = {"(": ")", "[": "]", "{": "}"}
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


class HclError(ValueError):
    """The text is not HCL this reader understands; the message names the file and line."""


class NotLiteral(ValueError):
    """The expression is not a literal value (it references, calls or computes something)."""


@dataclass(frozen=True)
class Block:
    """One block: its type, labels, attributes as source text, and nested blocks."""

    type: str
    labels: tuple[str, ...]
    attributes: dict[str, str]
    blocks: tuple[Block, ...]
    line: int


@dataclass(frozen=True)
class Variable:
    """An input variable as a reader of the module sees it."""

    name: str
    description: str | None
    type: str | None  # source text, e.g. "list(object({ ... }))"
    default: str | None  # source text; None when the variable has no default (it is required)
    required: bool
    sensitive: bool = False


@dataclass(frozen=True)
class Output:
    """An output value: its name and description."""

    name: str
    description: str | None
    sensitive: bool = False


@dataclass(frozen=True)
class Module:
    """What a directory of `.tf` files declares for its callers."""

    path: Path
    variables: tuple[Variable, ...]
    outputs: tuple[Output, ...]
    required_version: str | None = None
    required_providers: dict[str, dict[str, str]] = field(default_factory=dict)


def read_module(directory: Path) -> Module:
    """The variables, outputs and requirements declared by the `*.tf` files directly in `directory`."""
    variables: list[Variable] = []
    outputs: list[Output] = []
    versions: list[str] = []
    providers: dict[str, dict[str, str]] = {}
    for path in sorted(directory.glob("*.tf")):
        for block in parse(path.read_text(encoding="utf-8"), str(path)):
            where = f"{path}:{block.line}"
            if block.type == "variable":
                variables.append(_variable(block, where))
            elif block.type == "output":
                outputs.append(
                    Output(
                        _name(block, where), _string(block, "description", where), _flag(block, "sensitive")
                    )
                )
            elif block.type == "terraform":
                if "required_version" in block.attributes:
                    versions.append(_required_string(block, "required_version", where))
                for nested in block.blocks:
                    if nested.type == "required_providers":
                        providers.update(_providers(nested, where))
    return Module(
        directory,
        tuple(variables),
        tuple(outputs),
        " ".join(versions) or None,
        dict(sorted(providers.items())),
    )


def _variable(block: Block, where: str) -> Variable:
    default = block.attributes.get("default")
    return Variable(
        name=_name(block, where),
        description=_string(block, "description", where),
        type=block.attributes.get("type"),
        default=default,
        required=default is None,
        sensitive=_flag(block, "sensitive"),
    )


def _name(block: Block, where: str) -> str:
    if len(block.labels) != 1:
        raise HclError(f"{where}: a {block.type} block takes exactly one label, got {list(block.labels)}")
    return block.labels[0]


def _string(block: Block, attribute: str, where: str) -> str | None:
    source = block.attributes.get(attribute)
    return None if source is None else _required_string(block, attribute, where)


def _required_string(block: Block, attribute: str, where: str) -> str:
    try:
        value = literal(block.attributes[attribute])
    except NotLiteral as error:
        raise HclError(f"{where}: {attribute} must be a literal string: {error}") from None
    if not isinstance(value, str):
        raise HclError(f"{where}: {attribute} must be a string, got {block.attributes[attribute]!r}")
    return value


def _flag(block: Block, attribute: str) -> bool:
    try:
        return literal(block.attributes.get(attribute, "false")) is True
    except NotLiteral:
        return False


def _providers(block: Block, where: str) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for name, source in block.attributes.items():
        try:
            value = literal(source)
        except NotLiteral as error:
            raise HclError(f"{where}: required_providers.{name} must be an object literal: {error}") from None
        if isinstance(value, str):  # the legacy `aws = "~> 5.0"` form
            value = {"version": value}
        if not isinstance(value, dict):
            raise HclError(f"{where}: required_providers.{name} must be an object, got {source!r}")
        found[name] = {str(k): str(v) for k, v in value.items()}
    return found


# -- the block reader ---------------------------------------------------------------------------


def parse(text: str, filename: str = "<hcl>") -> list[Block]:
    """The top-level blocks of one HCL file (a `.tf` file holds no top-level attributes)."""
    reader = _Reader(text, filename)
    blocks, attributes = reader.body(closing=None)
    if attributes:
        name = next(iter(attributes))
        raise HclError(f"{filename}: unexpected top-level attribute {name!r}")
    return blocks


class _Reader:
    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.filename = filename
        self.pos = 0

    def error(self, message: str, pos: int | None = None) -> HclError:
        line = self.text.count("\n", 0, self.pos if pos is None else pos) + 1
        return HclError(f"{self.filename}:{line}: {message}")

    def body(self, closing: str | None) -> tuple[list[Block], dict[str, str]]:
        blocks: list[Block] = []
        attributes: dict[str, str] = {}
        while True:
            self.skip_trivia(newlines=True)
            if self.pos >= len(self.text):
                if closing is not None:
                    raise self.error(f"unclosed block: expected {closing!r}")
                return blocks, attributes
            if closing is not None and self.text.startswith(closing, self.pos):
                self.pos += 1
                return blocks, attributes
            start = self.pos
            name = self.identifier()
            self.skip_trivia(newlines=False)
            if self.peek("=") and not self.peek("=="):
                self.pos += 1
                if name in attributes:
                    raise self.error(f"attribute {name!r} is set twice", start)
                attributes[name] = self.expression(closing)
            else:
                labels: list[str] = []
                while not self.peek("{"):
                    if self.peek('"'):
                        labels.append(decode_string(self.text[self.pos : self.string_end(self.pos)]))
                        self.pos = self.string_end(self.pos)
                    else:
                        labels.append(self.identifier())
                    self.skip_trivia(newlines=False)
                self.pos += 1
                line = self.text.count("\n", 0, start) + 1
                nested, nested_attributes = self.body(closing="}")
                blocks.append(Block(name, tuple(labels), nested_attributes, tuple(nested), line))

    def peek(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def identifier(self) -> str:
        match = _IDENT.match(self.text, self.pos)
        if match is None:
            found = self.text[self.pos : self.pos + 20].split("\n")[0]
            raise self.error(f"expected a name, found {found!r}")
        self.pos = match.end()
        return match.group()

    def skip_trivia(self, *, newlines: bool) -> None:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t\r" or (newlines and char == "\n"):
                self.pos += 1
            elif char == "#" or text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.error("unclosed /* comment")
                self.pos = end + 2
            else:
                return

    def expression(self, closing: str | None) -> str:
        """The source text of one attribute value: up to a newline (or the block's end) at depth 0."""
        start = self.pos
        text = self.text
        stack: list[str] = []
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\n" and not stack:
                break
            if closing is not None and not stack and char == closing:
                break
            if char == '"':
                self.pos = self.string_end(self.pos)
                continue
            if text.startswith("<<", self.pos) and (heredoc := _HEREDOC.match(text, self.pos)):
                self.pos = self.heredoc_end(heredoc)
                continue
            if char == "#" or text.startswith("//", self.pos) or text.startswith("/*", self.pos):
                self.skip_trivia(newlines=False)
                continue
            if char in _CLOSERS:
                stack.append(_CLOSERS[char])
            elif char in ")]}" and (not stack or stack.pop() != char):
                raise self.error(f"unbalanced {char!r}")
            self.pos += 1
        if stack:
            raise self.error(f"unclosed expression: expected {stack[-1]!r}", start)
        source = _strip_comments(text[start : self.pos]).strip()
        if not source:
            raise self.error("an attribute needs a value", start)
        return source

    def string_end(self, pos: int) -> int:
        """The index just after the quoted string (templates and all) that starts at `pos`."""
        text = self.text
        i = pos + 1
        while i < len(text):
            char = text[i]
            if char == "\\":
                i += 2
            elif char == '"':
                return i + 1
            elif char == "\n":
                raise self.error("newline in a quoted string", pos)
            elif text.startswith(("$${", "%%{"), i):
                i += 3
            elif text.startswith(("${", "%{"), i):
                i = self.template_end(i + 2)
            else:
                i += 1
        raise self.error("unclosed string", pos)

    def template_end(self, pos: int) -> int:
        """The index just after the `}` that closes a `${` / `%{` interpolation opened before `pos`."""
        depth = 1
        i = pos
        while i < len(self.text):
            char = self.text[i]
            if char == '"':
                i = self.string_end(i)
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        raise self.error("unclosed ${ interpolation", pos)

    def heredoc_end(self, heredoc: re.Match[str]) -> int:
        marker = heredoc.group(2)
        for line in re.finditer(r"[^\n]*(\n|$)", self.text[heredoc.end() :]):
            if line.group().strip() == marker:  # end just after the marker: its newline ends the value
                return heredoc.end() + line.start() + len(line.group().rstrip("\r\n"))
            if not line.group():
                break
        raise self.error(f"heredoc without its closing {marker}", heredoc.start())


def _strip_comments(source: str) -> str:
    """`source` without trailing `#`/`//` comments (those inside strings are kept)."""
    reader = _Reader(source, "<expression>")
    kept: list[str] = []
    while reader.pos < len(source):
        char = source[reader.pos]
        if char == '"':
            end = reader.string_end(reader.pos)
            kept.append(source[reader.pos : end])
            reader.pos = end
        elif source.startswith("<<", reader.pos) and (heredoc := _HEREDOC.match(source, reader.pos)):
            end = reader.heredoc_end(heredoc)
            kept.append(source[reader.pos : end])
            reader.pos = end
        elif char == "#" or source.startswith(("//", "/*"), reader.pos):
            reader.skip_trivia(newlines=False)
        else:
            kept.append(char)
            reader.pos += 1
    return "\n".join(line.rstrip() for line in "".join(kept).split("\n"))


# -- literal values -----------------------------------------------------------------------------


def decode_string(source: str) -> str:
    """The value of a quoted string literal; raises NotLiteral when it interpolates something."""
    body = source[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            code = body[i + 1 : i + 2]
            if code in _ESCAPES:
                out.append(_ESCAPES[code])
                i += 2
            elif code in ("u", "U"):
                width = 4 if code == "u" else 8
                out.append(chr(int(body[i + 2 : i + 2 + width], 16)))
                i += 2 + width
            else:
                raise HclError(f"unknown escape \\{code} in {source}")
        elif body.startswith(("$${", "%%{"), i):
            out.append(body[i + 1 : i + 3])
            i += 3
        elif body.startswith(("${", "%{"), i):
            raise NotLiteral(f"{source} is a template")
        else:
            out.append(char)
            i += 1
    return "".join(out)


def literal(source: str) -> Any:
    """The Python value of a literal HCL expression (JSON-like types); NotLiteral for anything else."""
    parser = _LiteralParser(source)
    value = parser.value()
    parser.skip()
    if parser.pos != len(source):
        raise NotLiteral(f"{source!r} is not a literal value")
    return value


class _LiteralParser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.reader = _Reader(source, "<literal>")

    def skip(self) -> None:
        self.reader.pos = self.pos
        self.reader.skip_trivia(newlines=True)
        self.pos = self.reader.pos

    def value(self) -> Any:
        self.skip()
        source, pos = self.source, self.pos
        if source.startswith('"', pos):
            end = self.reader.string_end(pos)
            self.pos = end
            return decode_string(source[pos:end])
        if heredoc := _HEREDOC.match(source, pos):
            end = self.reader.heredoc_end(heredoc)
            self.pos = end
            return _heredoc_value(source[heredoc.end() : end], heredoc.group(1) == "-", heredoc.group(2))
        if number := _NUMBER.match(source, pos):
            self.pos = number.end()
            text = number.group()
            return float(text) if any(c in text for c in ".eE") else int(text)
        if source.startswith("[", pos):
            return self.sequence()
        if source.startswith("{", pos):
            return self.mapping()
        if word := _IDENT.match(source, pos):
            constants = {"true": True, "false": False, "null": None}
            if word.group() in constants:
                self.pos = word.end()
                self.skip()
                if self.pos < len(source) and source[self.pos] not in ",]}\n=:":
                    raise NotLiteral(f"{source!r} is not a literal value")
                return constants[word.group()]
        raise NotLiteral(f"{source!r} is not a literal value")

    def sequence(self) -> list[Any]:
        self.pos += 1
        items: list[Any] = []
        while True:
            self.skip()
            if self.source.startswith("]", self.pos):
                self.pos += 1
                return items
            items.append(self.value())
            self.skip()
            if self.source.startswith(",", self.pos):
                self.pos += 1
            elif not self.source.startswith("]", self.pos):
                raise NotLiteral(f"{self.source!r} is not a literal list")

    def mapping(self) -> dict[str, Any]:
        self.pos += 1
        items: dict[str, Any] = {}
        while True:
            self.skip()
            if self.source.startswith("}", self.pos):
                self.pos += 1
                return items
            if self.source.startswith('"', self.pos):
                end = self.reader.string_end(self.pos)
                key = decode_string(self.source[self.pos : end])
                self.pos = end
            elif name := _IDENT.match(self.source, self.pos):
                key = name.group()
                self.pos = name.end()
            else:
                raise NotLiteral(f"{self.source!r} has a computed object key")
            self.skip()
            if not self.source.startswith(("=", ":"), self.pos) or self.source.startswith("==", self.pos):
                raise NotLiteral(f"{self.source!r} is not a literal object")
            self.pos += 1
            items[key] = self.value()
            self.reader.pos = self.pos
            self.reader.skip_trivia(newlines=False)
            self.pos = self.reader.pos
            if self.source.startswith((",", "\n"), self.pos):
                self.pos += 1
            elif not self.source.startswith("}", self.pos):
                raise NotLiteral(f"{self.source!r} is not a literal object")


def _heredoc_value(raw: str, indented: bool, marker: str) -> str:
    lines = raw.split("\n")
    while lines and lines[-1].strip() in ("", marker):  # the marker line and what follows it
        if lines[-1].strip() == marker:
            lines.pop()
            break
        lines.pop()
    if indented:
        margin = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
        lines = [line[margin:] for line in lines]
    text = "\n".join(lines) + "\n"
    if "${" in text.replace("$${", "") or "%{" in text.replace("%%{", ""):
        raise NotLiteral("the heredoc is a template")
    return text.replace("$${", "${").replace("%%{", "%{")


def to_json(value: Any) -> str:
    """A literal value as terraform-docs prints a default: JSON, indented by two spaces."""
    return json.dumps(value, indent=2, ensure_ascii=False)
