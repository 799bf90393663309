"""foyer.lazy_names: each package's public names resolve to their modules' objects, imported when first
asked for, and every name has exactly one home."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

import foyer.contracts
import foyer.events

PACKAGES = [foyer.events, foyer.contracts]


def homes(package: ModuleType) -> dict[str, str]:
    return {name: module for module, names in package._MODULES.items() for name in names}


@pytest.mark.parametrize(
    ("package", "name"), [(package, name) for package in PACKAGES for name in package.__all__]
)
def test_each_public_name_is_its_modules_object(package: ModuleType, name: str) -> None:
    home = importlib.import_module(f"{package.__name__}.{homes(package)[name]}")
    assert getattr(package, name) is getattr(home, name)
    assert name in dir(package)


@pytest.mark.parametrize("package", PACKAGES, ids=lambda package: package.__name__)
def test_every_name_has_one_home_and_nothing_else_does(package: ModuleType) -> None:
    assert sorted(homes(package)) == sorted(package.__all__)
    assert sum(len(names) for names in package._MODULES.values()) == len(package.__all__)
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        package.Nope  # noqa: B018
