"""The AWS API calls a Lambda handler's code can make, read from the code itself.

From the handler (module and function, as Terraform names it) the reachable code is followed by name:
a module's top level runs when it is imported, a function or class when a reachable piece of code
names it, a method when reachable code reads an attribute of that name (or the runtime or a library
calls it: dunder methods, decorated methods, overrides of a library's class). Names are resolved
through every import, the `if TYPE_CHECKING:` ones included: that is how `foyer.events` finds what
it imports lazily (PEP 562).

In the reachable code, an AWS call is
- a method of a boto3 client's service named on a receiver in a class or function that creates that
  service's client through `foyer.aws.client("<service>")`, or the operation's name as a string
  there (`getattr(client, "get_usage_plans")`);
- a `foyer.dynamodb.Table` method called on a table (`table.get`, `self.table.put_op`), which
  needs the DynamoDB action of `TABLE_ACTIONS`.

What cannot be attributed is a `Problem`, never skipped: a client created for a service named at
run time, a class creating a client and calling none of its operations, boto3 or botocore reached
outside the places that do so knowingly, a module imported by a computed name.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("foyer", "services", "bff")

# boto3 service name => IAM service prefix (SES v2's API authorizes as `ses:`).
IAM_PREFIX = {"sesv2": "ses"}

# foyer.dynamodb.Table method => the IAM action it needs (TransactWriteItems is authorized per item).
TABLE_ACTIONS = {
    "get": "GetItem",
    "batch_get": "BatchGetItem",
    "put": "PutItem",
    "update": "UpdateItem",
    "delete": "DeleteItem",
    "query": "Query",
    "scan": "Scan",
    "put_op": "PutItem",
    "update_op": "UpdateItem",
    "check_op": "ConditionCheckItem",
}
# The table's own implementation: its client calls are what TABLE_ACTIONS names per method.
TABLE_IMPLEMENTATION = {("foyer.dynamodb", "Table"), ("foyer.dynamodb", "transact")}

# Code that reaches boto3/botocore or imports by a computed name knowingly, and why that is no call.
KNOWN = {
    ("foyer.dynamodb", "_serializer"): "boto3's DynamoDB type serializer: converts values, calls nothing",
    ("foyer.dynamodb", "_deserializer"): "boto3's DynamoDB type deserializer: converts values, calls nothing",
    (
        "foyer.aws",
        "_create",
    ): "creates the clients; their calls are counted where aws.client names the service",
    ("foyer.aws", "errors"): "botocore's exception classes, for `except aws.errors()`: calls nothing",
    (
        "foyer.signing",
        "SigV4",
    ): "signs function URL calls with the role's credentials (counted as URL invokes)",
    ("foyer.snapstart", "before_snapshot"): "imports boto3 into the snapshot, calls nothing",
    ("foyer.snapstart", "import_before_snapshot"): "imports the modules its callers name (followed there)",
    ("foyer.lazy_names", "lazy_names"): "imports what its package lists under TYPE_CHECKING (followed there)",
    ("foyer.identity.dependencies", "get_partner_keys"): (
        "the emulator's API keys, looked up only where no API Gateway stands in front (current_partner "
        "reads the gateway's apiKeyId from the Lambda event); in AWS the gateway checks the keys"
    ),
}
DYNAMIC_IMPORTERS = {("foyer.snapstart", "import_before_snapshot")}


@dataclass(frozen=True, order=True)
class Call:
    """One AWS API call: IAM action (`secretsmanager:GetSecretValue`) and where the code makes it."""

    action: str
    where: str


@dataclass(frozen=True)
class Problem:
    """Code the scanner cannot attribute to an AWS call, or cannot rule out as one."""

    where: str
    what: str


@cache
def operations(service: str) -> dict[str, str]:
    """boto3 method name => API operation name, for one service (from botocore's service model)."""
    import botocore.session
    from botocore import xform_name

    model = botocore.session.get_session().get_service_model(service)
    return {xform_name(name): name for name in model.operation_names}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
    )


def _dotted(node: ast.expr) -> list[str] | None:
    """`a.b.c` as ["a", "b", "c"]; None for anything else."""
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(names)]
    return None


@dataclass
class Unit:
    """A piece of code that runs as one: a module's top level, a function, a class body, a method."""

    module: str
    qualname: str  # "" for the module's top level
    nodes: list[ast.AST]
    scope: str  # the class or function whose clients this code uses ("" : the module)
    lineno: int = 0
    refs: list[list[str]] = field(default_factory=list)
    attrs: set[str] = field(default_factory=set)
    imports: set[str] = field(default_factory=set)  # modules whose import this code runs
    calls: list[tuple[str, str, int]] = field(default_factory=list)  # receiver source, method, line
    strings: set[str] = field(default_factory=set)
    client_services: list[tuple[ast.Call, int]] = field(default_factory=list)
    raw_imports: set[str] = field(default_factory=set)
    dynamic_imports: list[int] = field(default_factory=list)
    literal_calls: list[tuple[list[str], list[str]]] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.module}:{self.qualname or '<module>'}:{self.lineno}"


class _Collector(ast.NodeVisitor):
    """Fills a unit from its nodes: names, attributes, calls, strings, imports; annotations skipped."""

    def __init__(self, unit: Unit, module: Module, top: bool) -> None:
        self.unit, self.module, self.top = unit, module, top

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        # Annotations count: FastAPI reads them at run time (Annotated[..., Depends(f)] calls f).
        for expr in [
            *node.decorator_list,
            *node.args.defaults,
            *node.args.kw_defaults,
            node.args,
            node.returns,
        ]:
            if expr is not None:
                self.visit(expr)
        if not self.top:  # a nested function runs as part of this unit
            for statement in node.body:
                self.visit(statement)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self.visit(expr)
        if not self.top:
            for statement in node.body:
                self.visit(statement)

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node):
            return  # names only: resolved through, never run
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._imported(alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        source = self.module.absolute(node)
        self._imported(source)
        for alias in node.names:
            if f"{source}.{alias.name}" in MODULES():
                self._imported(f"{source}.{alias.name}")

    def _imported(self, name: str) -> None:
        if name.split(".")[0] in ("boto3", "botocore"):
            self.unit.raw_imports.add(name)
        if name in ("importlib",):
            return
        self.unit.imports.add(name)

    def visit_Name(self, node: ast.Name) -> None:
        self.unit.refs.append([node.id])

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.unit.attrs.add(node.attr)
        dotted = _dotted(node)
        if dotted:
            self.unit.refs.append(dotted)
        else:
            self.visit(node.value)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            self.unit.strings.add(node.value)

    def visit_Call(self, node: ast.Call) -> None:
        func = _dotted(node.func)
        literals = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if func:
            self.unit.literal_calls.append((func, literals))
            if func[-1] in ("import_module", "__import__") and len(literals) != len(node.args):
                self.unit.dynamic_imports.append(node.lineno)
        if isinstance(node.func, ast.Attribute):
            self.unit.calls.append((ast.unparse(node.func.value), node.func.attr, node.lineno))
        self.unit.client_services.append((node, node.lineno))
        self.generic_visit(node)


class Module:
    """One module of the repository, cut into units, with the names its imports bind."""

    def __init__(self, name: str, path: Path) -> None:
        self.name, self.path = name, path
        self.is_package = path.name == "__init__.py"
        self.tree = ast.parse(path.read_text(), str(path))
        self.bindings: dict[str, tuple[str, str | None]] = {}  # name => (module, attribute or None)
        self.units: dict[str, Unit] = {}
        self.methods: dict[str, dict[str, str]] = {}  # class => method name => qualname
        self.open_classes: set[str] = set()  # classes deriving from a class outside the repo

    def absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = self.name.split(".")
        base = base if self.is_package else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        return ".".join([*base, node.module] if node.module else base)

    def build(self) -> None:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.bindings[alias.asname] = (alias.name, None)
                    else:
                        top = alias.name.split(".")[0]
                        self.bindings[top] = (top, None)
            elif isinstance(node, ast.ImportFrom):
                source = self.absolute(node)
                for alias in node.names:
                    self.bindings[alias.asname or alias.name] = (source, alias.name)
        body = Unit(self.name, "", [self.tree], "", 1)
        _Collector(body, self, top=True).visit(self.tree)
        self.units[""] = body
        for node in self.tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self._unit(node.name, node, node.name)
            elif isinstance(node, ast.ClassDef):
                self._unit(node.name, node, node.name, top=True)
                self.methods[node.name] = {}
                for base in node.bases:
                    dotted = _dotted(base)
                    target = self.bindings.get(dotted[0]) if dotted else None
                    if (
                        dotted
                        and target
                        and target[0].split(".")[0] not in PACKAGES
                        and dotted[0] != "Protocol"
                    ):
                        self.open_classes.add(node.name)
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        qualname = f"{node.name}.{item.name}"
                        self._unit(qualname, item, node.name)
                        self.methods[node.name][item.name] = qualname

    def _unit(self, qualname: str, node: ast.AST, scope: str, top: bool = False) -> None:
        unit = Unit(self.name, qualname, [node], scope, getattr(node, "lineno", 0))
        collector = _Collector(unit, self, top=top)
        if top:
            collector.visit(node)
        else:
            assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            for expr in [*node.decorator_list, node.args, node.returns]:
                if expr is not None:
                    collector.visit(expr)
            for statement in node.body:
                collector.visit(statement)
        self.units[qualname] = unit


@cache
def MODULES() -> dict[str, Path]:
    """Every module of the repository's packages, by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


@cache
def module(name: str) -> Module:
    built = Module(name, MODULES()[name])
    built.build()
    return built


def _resolve(module_name: str, name: str, seen: frozenset[tuple[str, str]] = frozenset()) -> tuple[str, str]:
    """(module, qualname) a name of a module stands for; ("", "") outside the repository."""
    if module_name not in MODULES() or (module_name, name) in seen:
        return ("", "")
    if f"{module_name}.{name}" in MODULES():
        return (f"{module_name}.{name}", "")
    mod = module(module_name)
    if name in mod.units and name:
        return (module_name, name)
    bound = mod.bindings.get(name)
    if bound is None:
        return ("", "")
    source, attribute = bound
    if attribute is None:
        return (source, "") if source in MODULES() else ("", "")
    return _resolve(source, attribute, seen | {(module_name, name)})


def _targets(unit: Unit) -> Iterator[tuple[str, str]]:
    """The modules and definitions a unit's names and dotted names stand for."""
    mod = module(unit.module)
    for dotted in unit.refs:
        head = dotted[0]
        if head in mod.units and head:
            target = (unit.module, head)
        elif head in mod.bindings:
            source, attribute = mod.bindings[head]
            if attribute is None:
                target = (source, "") if source in MODULES() else ("", "")
                # `import a.b` binds `a`: a dotted use reaches into a.b
                for part in dotted[1:]:
                    deeper = _resolve(target[0], part) if target[0] and not target[1] else ("", "")
                    if not deeper[0]:
                        break
                    target = deeper
            else:
                target = _resolve(source, attribute)
                if target[0] and not target[1] and len(dotted) > 1:
                    target = _resolve(target[0], dotted[1])
        else:
            continue
        if target[0]:
            yield target


@dataclass
class Reach:
    """What one handler can run, and the AWS calls and problems found in it."""

    units: set[tuple[str, str]] = field(default_factory=set)
    calls: set[Call] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)

    def modules(self) -> set[str]:
        return {m for m, _ in self.units}


def _parents(name: str) -> Iterator[str]:
    parts = name.split(".")
    for end in range(1, len(parts) + 1):
        yield ".".join(parts[:end])


def reach(handler: str) -> Reach:
    """Everything `handler` (Terraform's `package.module.function`) can run."""
    module_name, _, function = handler.rpartition(".")
    found = Reach()
    attributes: set[str] = set()
    classes: set[tuple[str, str]] = set()
    work: list[tuple[str, str]] = [(module_name, ""), (module_name, function)]

    def add(target: tuple[str, str]) -> None:
        if target[0] in MODULES() and target not in found.units:
            work.append(target)

    while work:
        key = work.pop()
        if key in found.units or key[0] not in MODULES():
            continue
        mod = module(key[0])
        unit = mod.units.get(key[1])
        if unit is None:
            continue
        found.units.add(key)
        if not key[1]:
            for parent in _parents(key[0]):
                add((parent, ""))
            # A decorated function is handed to its decorator at import (a route, a cached factory):
            # whoever the decorator gives it to may call it.
            for node in mod.tree.body:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.decorator_list:
                    add((key[0], node.name))
        for imported in unit.imports:
            for parent in _parents(imported):
                add((parent, ""))
        for target in _targets(unit):
            add(target)
            if target[1] and target[1] in module(target[0]).methods:
                classes.add(target)
                cls = module(target[0])
                for name, qualname in cls.methods[target[1]].items():
                    if _runs_with_class(cls, target[1], name) or name in attributes:
                        add((target[0], qualname))
        # getattr(obj, "name") reaches a method too.
        named = unit.attrs | {text for text in unit.strings if text.isidentifier()}
        new = named - attributes
        attributes |= named
        for module_of, cls_name in classes:
            for name in new & module(module_of).methods[cls_name].keys():
                add((module_of, module(module_of).methods[cls_name][name]))
        for func, literals in unit.literal_calls:
            resolved = _resolve(key[0], func[0]) if len(func) == 1 else None
            if len(func) > 1:
                head = next(_targets(Unit(key[0], "", [], "", refs=[func])), None)
                resolved = head
            if resolved in DYNAMIC_IMPORTERS:
                for literal in literals:
                    if literal in MODULES():
                        add((literal, ""))
    for key in sorted(found.units):
        _calls_in(key, found)
    return found


def _runs_with_class(mod: Module, cls: str, method: str) -> bool:
    """Whether a method runs without being named: dunders, decorated ones, a library's overrides."""
    if method.startswith("__") and method.endswith("__"):
        return True
    if cls in mod.open_classes:
        return True
    node = mod.units[f"{cls}.{method}"].nodes[0]
    assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    plain = {"property", "staticmethod", "classmethod", "cached_property", "cache", "setter"}
    return any(
        (_dotted(d) or [""])[-1] not in plain for d in node.decorator_list if not isinstance(d, ast.Call)
    ) or any(isinstance(d, ast.Call) for d in node.decorator_list)


def _scope_units(mod: Module, scope: str) -> list[Unit]:
    if not scope:
        return [mod.units[""]]
    if scope in mod.methods:
        return [mod.units[scope], *(mod.units[q] for q in mod.methods[scope].values())]
    return [mod.units[scope]]


def _services_of(mod: Module, scope: str) -> tuple[set[str], list[Problem]]:
    """The services whose clients a class or function creates through foyer.aws.client."""
    services: set[str] = set()
    problems = []
    for unit in _scope_units(mod, scope):
        for node, line in unit.client_services:
            func = _dotted(node.func)
            if not func:
                continue
            target = next(_targets(Unit(mod.name, "", [], "", refs=[func])), None)
            if target != ("foyer.aws", "client"):
                continue
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                services.add(first.value)
            else:
                problems.append(
                    Problem(f"{mod.name}:{scope}:{line}", "a client for a service named at run time")
                )
    return services, problems


def _calls_in(key: tuple[str, str], found: Reach) -> None:
    mod = module(key[0])
    unit = mod.units[key[1]]
    if unit.dynamic_imports and (key[0], key[1]) not in KNOWN:
        found.problems.append(Problem(unit.where, "imports a module by a computed name"))
    if unit.raw_imports and (key[0], unit.scope) not in KNOWN and (key[0], key[1]) not in KNOWN:
        found.problems.append(
            Problem(unit.where, f"reaches {sorted(unit.raw_imports)} directly, not through foyer.aws")
        )
    for receiver, method, line in unit.calls:
        if method in TABLE_ACTIONS and receiver.split(".")[-1].lstrip("_").lower().endswith("table"):
            found.calls.add(Call(f"dynamodb:{TABLE_ACTIONS[method]}", f"{key[0]}:{line}"))
    services, problems = _services_of(mod, unit.scope)
    found.problems.extend(problems)
    if (key[0], unit.scope) in TABLE_IMPLEMENTATION or (key[0], unit.scope) in KNOWN:
        return
    for service in services:
        ops = operations(service)
        prefix = IAM_PREFIX.get(service, service)
        for _receiver, method, line in unit.calls:
            if method in ops:
                found.calls.add(Call(f"{prefix}:{ops[method]}", f"{key[0]}:{line}"))
        for text in unit.strings & ops.keys():
            found.calls.add(Call(f"{prefix}:{ops[text]}", f"{key[0]}:{unit.lineno}"))
        scope_calls = [
            method for u in _scope_units(mod, unit.scope) for _, method, _ in u.calls if method in ops
        ] + [text for u in _scope_units(mod, unit.scope) for text in u.strings & ops.keys()]
        if not scope_calls:
            found.problems.append(
                Problem(unit.where, f"creates a {service} client but calls none of its operations")
            )
    for receiver, method, line in unit.calls:
        if (
            "client" in receiver.lower()
            and not services
            and any(method in operations(s) for s in _KNOWN_SERVICES)
        ):
            found.problems.append(
                Problem(f"{key[0]}:{line}", f"{receiver}.{method}() on a client this scope does not create")
            )


_KNOWN_SERVICES = (
    "dynamodb",
    "events",
    "lambda",
    "secretsmanager",
    "sesv2",
    "sns",
    "sqs",
    "sts",
    "apigateway",
)


def actions(calls: Iterable[Call]) -> dict[str, list[str]]:
    """IAM action => where the code makes it."""
    by_action: dict[str, list[str]] = defaultdict(list)
    for call in sorted(calls):
        by_action[call.action].append(call.where)
    return dict(by_action)
