"""Terraform's source as python-hcl2 reads it, where no plan can be had: the apps map of
terraform/modules/platform (for `make cost`, the benchmarks and the tests that check what follows
from it) and the variables, outputs and requirements a module declares (for `make docs`).

A running stack reads the same apps map from Terraform's outputs instead (devtools.devstack).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hcl2.api import parses_to_tree, serialize, transform
from hcl2.utils import SerializationOptions
from lark import Token, Tree

__all__ = [
    "App",
    "Consumer",
    "Module",
    "Output",
    "Schedule",
    "Topology",
    "Variable",
    "module_arguments",
    "read_module",
    "read_topology",
    "to_json",
]

# Plain Python values: strings unquoted, blocks as dicts; an expression stays as "${...}" text.
_OPTIONS = SerializationOptions(
    with_comments=False, explicit_blocks=False, strip_string_quotes=True, preserve_heredocs=False
)
_EXPRESSION = re.compile(r"(?<!\$)\$\{")


def _parse(path: Path) -> Tree[Token]:
    try:
        return parses_to_tree(path.read_text(encoding="utf-8"))
    except Exception as error:  # python-hcl2 raises lark's errors, which name the line and column
        raise ValueError(f"{path}: not HCL that python-hcl2 reads: {error}") from None


def _values(tree: Tree[Token]) -> dict[str, Any]:
    loaded = serialize(transform(tree, discard_comments=True), serialization_options=_OPTIONS)
    assert isinstance(loaded, dict)
    return loaded


def _load(path: Path) -> dict[str, Any]:
    return _values(_parse(path))


def _blocks(document: dict[str, Any], kind: str) -> list[Any]:
    found = document.get(kind, [])
    return found if isinstance(found, list) else [found]


def is_literal(value: Any) -> bool:
    """Whether a loaded value is a constant (no reference, call or template anywhere in it)."""
    if isinstance(value, str):
        return _EXPRESSION.search(value) is None
    if isinstance(value, list):
        return all(map(is_literal, value))
    if isinstance(value, dict):
        return all(map(is_literal, value.values()))
    return True


def to_json(value: Any) -> str:
    """A literal value as terraform-docs prints a default: JSON, indented by two spaces."""
    return json.dumps(value, indent=2, ensure_ascii=False)


# -- the apps map -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Consumer:
    handler: str
    sources: tuple[str, ...]
    events: tuple[str, ...]  # empty: every event of its sources

    def takes(self, event: str, source: str) -> bool:
        return source in self.sources and (not self.events or event in self.events)


@dataclass(frozen=True)
class Schedule:
    handler: str
    expression: str  # EventBridge's: `rate(5 minutes)`


@dataclass(frozen=True)
class App:
    name: str
    handler: str
    calls: tuple[str, ...] = ()
    consumers: tuple[Consumer, ...] = ()
    schedules: tuple[Schedule, ...] = ()  # the functions an EventBridge schedule runs
    outbox: bool = False  # its table's stream feeds a relay function (events.tf)
    port: int = 0  # its local port under `make dev`
    table: bool = False  # it has a DynamoDB table of its own

    @property
    def package(self) -> str:
        """Its Python package: `services.orders` for `services.orders.handler.handler`."""
        return self.handler.rsplit(".", 2)[0]


@dataclass(frozen=True)
class Topology:
    apps: dict[str, App]
    behind_authorizer: frozenset[str]
    authorizer_handler: str
    relay_handler: str
    edges: frozenset[str] = field(default_factory=frozenset)  # the apps with an `edge` (a REST API)


def _local(document: dict[str, Any], name: str) -> Any:
    for block in _blocks(document, "locals"):
        if name in block:
            return block[name]
    return None


def _module_handler(document: dict[str, Any], prefix: str) -> str | None:
    for block in _blocks(document, "module"):
        for module in block.values():
            handler = module.get("handler")
            if isinstance(handler, str) and handler.startswith(prefix):
                return handler
    return None


def _app(name: str, entry: dict[str, Any]) -> App:
    def functions(kind: str) -> dict[str, dict[str, Any]]:
        found = entry.get(kind, {})
        return found if isinstance(found, dict) else {}

    for kind, wanted in (("consumers", ("handler",)), ("schedules", ("handler", "expression"))):
        for function, spec in functions(kind).items():
            if missing := [key for key in wanted if not isinstance(spec.get(key), str)]:
                raise ValueError(f"the {kind} entry {name}.{function} names no {' or '.join(missing)}")
    consumers = tuple(
        Consumer(spec["handler"], tuple(spec.get("sources", ())), tuple(spec.get("events", ())))
        for spec in functions("consumers").values()
    )
    schedules = tuple(
        Schedule(spec["handler"], spec["expression"]) for spec in functions("schedules").values()
    )
    port = entry.get("port")
    return App(
        name,
        handler=str(entry.get("handler", "")),
        calls=tuple(entry.get("calls", ())),
        consumers=consumers,
        schedules=schedules,
        outbox=entry.get("outbox") is True,
        port=port if isinstance(port, int) else 0,
        table=isinstance(entry.get("table"), dict),
    )


def read_topology(terraform_dir: Path) -> Topology:
    """The apps, calls, consumers, schedules, edges and authorizer terraform/modules/platform declares
    (`local.apps` in main.tf, the authorizer's module in edge.tf, the relay's in events.tf)."""
    platform = terraform_dir / "modules" / "platform"
    apps_map = _local(_load(platform / "main.tf"), "apps")
    edge = _load(platform / "edge.tf")
    authorizer = _module_handler(edge, "bff.authorizer.")
    relay = _module_handler(_load(platform / "events.tf"), "foyer.events.")
    if not isinstance(apps_map, dict) or not apps_map:
        raise ValueError(f"{platform}: no local.apps in main.tf")
    if authorizer is None or relay is None:
        raise ValueError(f"{platform}: no authorizer module in edge.tf or no relay module in events.tf")
    apps = {name: _app(name, entry) for name, entry in apps_map.items()}
    edges = {name: entry["edge"] for name, entry in apps_map.items() if isinstance(entry.get("edge"), dict)}
    behind = frozenset(name for name, edge in edges.items() if edge.get("authorizer") is True)
    return Topology(apps, behind, authorizer, relay, frozenset(edges))


def module_arguments(directory: Path) -> dict[str, dict[str, Any]]:
    """Each `module` block of the `*.tf` files in `directory`: its name -> its arguments (an
    expression stays as its "${...}" text)."""
    return {
        name: arguments
        for path in sorted(directory.glob("*.tf"))
        for block in _blocks(_load(path), "module")
        for name, arguments in block.items()
    }


# -- a module's declarations --------------------------------------------------------------------


@dataclass(frozen=True)
class Variable:
    """A `variable` block as terraform-docs tables it."""

    name: str
    description: str | None
    type: str | None  # source text, e.g. "list(object({ ... }))"
    default: str | None  # source text; None when the variable has no default (it is required)
    value: Any = None  # the default's value, when `literal`
    literal: bool = False  # the default is a constant (no reference, call or template)
    sensitive: bool = False

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class Output:
    name: str
    description: str | None
    sensitive: bool = False


@dataclass(frozen=True)
class Module:
    """What a directory of `*.tf` files declares to its callers."""

    path: Path
    variables: tuple[Variable, ...]
    outputs: tuple[Output, ...]
    required_version: str | None = None
    required_providers: dict[str, dict[str, str]] = field(default_factory=dict)


def _text(value: Any, where: str) -> str | None:
    if value is not None and not (isinstance(value, str) and is_literal(value)):
        raise ValueError(f"{where} must be a literal string, got {value!r}")
    return value


def _trees(node: Tree[Token], data: str) -> list[Tree[Token]]:
    return [child for child in node.children if isinstance(child, Tree) and child.data == data]


def _attribute_sources(tree: Tree[Token], text: str) -> Iterator[tuple[str, str, str, str]]:
    """(block type, first label, attribute, its expression's source text) for each attribute of each
    top-level block: the text terraform-docs shows for a type or a non-literal default."""
    for block in _trees(_trees(tree, "body")[0], "block"):
        kind = _trees(block, "identifier")[0].children[0]
        labels = _trees(block, "string")
        label = "".join(labels[0].scan_values(lambda v: isinstance(v, Token))).strip('"') if labels else ""
        for attribute in _trees(_trees(block, "body")[0], "attribute"):
            name, expression = attribute.children[0], attribute.children[-1]
            assert isinstance(name, Tree)
            assert isinstance(expression, Tree)
            start, end = expression.meta.start_pos, expression.meta.end_pos
            yield str(kind), label, str(name.children[0]), text[start:end]


def read_module(directory: Path) -> Module:
    """The variables, outputs and requirements declared by the `*.tf` files directly in `directory`."""
    variables: list[Variable] = []
    outputs: list[Output] = []
    versions: list[str] = []
    providers: dict[str, dict[str, str]] = {}
    for path in sorted(directory.glob("*.tf")):
        text, tree = path.read_text(encoding="utf-8"), _parse(path)
        sources = {(k, label, a): s for k, label, a, s in _attribute_sources(tree, text) if k == "variable"}
        document = _values(tree)
        for block in _blocks(document, "variable"):
            for name, spec in block.items():
                where = f"{path}: variable {name!r}"
                has_default = "default" in spec
                variables.append(
                    Variable(
                        name,
                        _text(spec.get("description"), f"{where} description"),
                        sources.get(("variable", name, "type")),
                        sources.get(("variable", name, "default")) if has_default else None,
                        spec.get("default"),
                        has_default and is_literal(spec["default"]),
                        spec.get("sensitive") is True,
                    )
                )
        for block in _blocks(document, "output"):
            for name, spec in block.items():
                description = _text(spec.get("description"), f"{path}: output {name!r} description")
                outputs.append(Output(name, description, spec.get("sensitive") is True))
        for block in _blocks(document, "terraform"):
            if (version := _text(block.get("required_version"), f"{path}: required_version")) is not None:
                versions.append(version)
            for required in _blocks(block, "required_providers"):
                for name, spec in required.items():
                    # The legacy `aws = "~> 5.0"` form is a bare version.
                    providers[name] = (
                        {"version": spec}
                        if isinstance(spec, str)
                        else {str(k): str(v) for k, v in spec.items()}
                    )
    return Module(
        directory,
        tuple(variables),
        tuple(outputs),
        " ".join(versions) or None,
        dict(sorted(providers.items())),
    )
