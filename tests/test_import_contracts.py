"""pyproject.toml's import-linter contracts name exactly the apps the apps map declares.

lint-imports checks only the modules a contract lists: a service missing from the independence
contract could import another service and no lint would notice.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from foyer.stack_file import LocalStack

ROOT = Path(__file__).resolve().parents[1]
INDEPENDENCE = "Services never import each other"

pytestmark = pytest.mark.integration


def contract(name: str, pyproject: Path = ROOT / "pyproject.toml") -> dict[str, Any]:
    contracts = tomllib.loads(pyproject.read_text())["tool"]["importlinter"]["contracts"]
    found = [c for c in contracts if c["name"] == name]
    assert len(found) == 1, f"pyproject.toml needs exactly one import-linter contract named {name!r}"
    return dict(found[0])


def declared_services(stack: LocalStack) -> set[str]:
    """The service packages of the apps map (`services.<name>`); BFFs are in `bff.`."""
    packages = {function.handler.rsplit(".", 2)[0] for function in stack.functions.values()}
    return {package for package in packages if package.startswith("services.")}


def disagreements(listed: list[str], declared: set[str]) -> list[str]:
    """How a contract's module list differs from the declared services, one line per module."""
    missing = [f"{m}: in the apps map, missing from the contract" for m in sorted(declared - set(listed))]
    extra = [f"{m}: in the contract, not in the apps map" for m in sorted(set(listed) - declared)]
    return missing + extra


def test_the_independence_contract_lists_exactly_the_services_of_the_apps_map(stack: LocalStack) -> None:
    listed = contract(INDEPENDENCE)["modules"]
    assert disagreements(listed, declared_services(stack)) == [], f"fix [{INDEPENDENCE!r}] in pyproject.toml"


def test_a_missing_or_extra_service_is_named() -> None:
    declared = {"services.catalog", "services.inventory", "services.orders"}
    assert disagreements(["services.catalog", "services.inventory", "services.carts"], declared) == [
        "services.orders: in the apps map, missing from the contract",
        "services.carts: in the contract, not in the apps map",
    ]


def test_bffs_are_not_services(stack: LocalStack) -> None:
    web = stack.functions["catalog"].model_copy(update={"handler": "bff.web.handler.handler"})
    with_bff = stack.model_copy(update={"functions": {**stack.functions, "web": web}})
    assert declared_services(with_bff) == declared_services(stack)
