"""pyproject.toml's independence contracts cover every app of the apps map.

lint-imports checks only the modules a contract names: a service its contract missed could import
another service and no lint would notice. The contracts name `services.*` and `bff.*`, so an app
added to the apps map is covered without an edit here; this keeps it so.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from devtools.terraform_source import read_topology

ROOT = Path(__file__).resolve().parents[1]
SERVICES = "Services never import each other"
BFFS = "BFFs never import each other"


def contract(name: str, pyproject: Path = ROOT / "pyproject.toml") -> dict[str, Any]:
    contracts = tomllib.loads(pyproject.read_text())["tool"]["importlinter"]["contracts"]
    found = [c for c in contracts if c["name"] == name]
    assert len(found) == 1, f"pyproject.toml needs exactly one import-linter contract named {name!r}"
    return dict(found[0])


def covers(expression: str, package: str) -> bool:
    """Whether an import-linter module expression names `package` (`*` is one name, `**` any)."""
    pattern = re.escape(expression).replace(r"\*\*", r"[\w.]+").replace(r"\*", r"\w+")
    return re.fullmatch(pattern, package) is not None


def uncovered(listed: list[str], packages: set[str]) -> list[str]:
    """The packages no expression of a contract names, one line each."""
    return [
        f"{package}: in the apps map, not in the contract"
        for package in sorted(packages)
        if not any(covers(expression, package) for expression in listed)
    ]


def app_packages(prefix: str) -> set[str]:
    """The packages of the apps map's apps under `prefix` (`services.` or `bff.`)."""
    apps = read_topology(ROOT / "terraform").apps.values()
    return {app.package for app in apps if app.package.startswith(prefix)}


def test_the_services_contract_covers_every_service_of_the_apps_map() -> None:
    assert uncovered(contract(SERVICES)["modules"], app_packages("services.")) == []


def test_the_bffs_contract_covers_every_bff_of_the_apps_map() -> None:
    assert uncovered(contract(BFFS)["modules"], app_packages("bff.")) == []


def test_a_service_the_contract_misses_is_named() -> None:
    listed = ["services.catalog", "services.inventory"]
    assert uncovered(listed, {"services.catalog", "services.orders"}) == [
        "services.orders: in the apps map, not in the contract"
    ]


def test_a_wildcard_names_one_level_and_a_double_one_any() -> None:
    assert covers("services.*", "services.reviews")
    assert not covers("services.*", "services.reviews.api")
    assert not covers("services.*", "bff.web")
    assert covers("bff.**", "bff.web.api")
