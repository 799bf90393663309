"""locals.apps in terraform/modules/platform/main.tf is the one list of apps: checked both ways.

Every app folder has an entry (else it is packaged but never deployed nor started), and Terraform
refuses two apps on one local port before anything is created.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from devtools.cli.package import discover_apps
from devtools.devstack.emulator import EMULATOR_PORT, Emulator
from devtools.devstack.stack import DIST, ROOT, LocalStack
from devtools.devstack.terraform import Terraform, TerraformError
from devtools.terraform_source import Topology, read_topology


def folder_disagreements(folders: set[str], declared: set[str]) -> list[str]:
    """How the app folders differ from the apps map, one line per app."""
    missing = [
        f"{n}: has a folder with a handler.py but no entry in locals.apps" for n in sorted(folders - declared)
    ]
    extra = [f"{n}: in locals.apps but has no folder" for n in sorted(declared - folders)]
    return missing + extra


@pytest.mark.integration
def test_every_app_folder_has_an_entry_and_every_entry_a_folder(stack: LocalStack) -> None:
    # HTTP apps only: an authorizer (no app.py) is deployed beside the APIs it guards, not as an app.
    folders = {app.name for app in discover_apps(ROOT) if app.serves_http}
    assert folder_disagreements(folders, set(stack.functions)) == []


def test_a_folder_without_an_entry_is_named() -> None:
    assert folder_disagreements({"catalog", "orders"}, {"catalog", "carts"}) == [
        "orders: has a folder with a handler.py but no entry in locals.apps",
        "carts: in locals.apps but has no folder",
    ]


@pytest.mark.integration
def test_every_app_has_a_port_of_its_own_and_none_is_the_emulators(stack: LocalStack) -> None:
    assert stack.ports.keys() == stack.functions.keys()
    assert EMULATOR_PORT not in stack.ports.values()


def edge_disagreements(topology: Topology) -> list[str]:
    """BFFs without an `edge` (no REST API would front them) and edges on apps that are no BFF."""
    bffs = {name for name, app in topology.apps.items() if app.package.startswith("bff.")}
    missing = [
        f"{n}: a BFF without an `edge` in its locals.apps entry" for n in sorted(bffs - topology.edges)
    ]
    extra = [f"{n}: has an `edge` but is not a BFF" for n in sorted(topology.edges - bffs)]
    return missing + extra


def test_every_bff_has_an_edge_and_only_bffs_do() -> None:
    assert edge_disagreements(read_topology(ROOT / "terraform")) == []


def test_a_bff_without_an_edge_is_named() -> None:
    topology = read_topology(ROOT / "terraform")
    without = replace(topology, edges=topology.edges - {"mobile"} | {"catalog"})
    assert edge_disagreements(without) == [
        "mobile: a BFF without an `edge` in its locals.apps entry",
        "catalog: has an `edge` but is not a BFF",
    ]


def first_two_ports_equal(main_tf: str) -> str:
    """The second app's port becomes the first one's."""
    ports = re.compile(r"(\n  apps = \{.*?\bport\s*=\s*)(\d+)(.*?\bport\s*=\s*)\d+", re.S)
    changed, count = ports.subn(r"\1\2\3\2", main_tf, count=1)
    assert count == 1, "the first two ports of locals.apps were not found"
    return changed


def first_table_dropped(main_tf: str) -> str:
    """The first app keeps its actions but loses its table."""
    table = re.compile(r"(\n  apps = \{.*?\btable\s*=\s*)\{.*?\n      \}\n", re.S)
    changed, count = table.subn(r"\1null\n", main_tf, count=1)
    assert count == 1, "the first table of locals.apps was not found"
    return changed


@pytest.mark.integration
@pytest.mark.terraform
@pytest.mark.parametrize(
    ("breakage", "refusal"),
    [
        (first_two_ports_equal, r'Two apps cannot share a local port: \{"\d+":\["catalog","inventory"\]\}'),
        (first_table_dropped, r"an app without a table \(table = null\) lists none"),
    ],
    ids=["two apps on one port", "actions without a table"],
)
def test_the_plan_refuses_a_broken_apps_map(
    emulator: Emulator, tmp_path: Path, breakage: Callable[[str], str], refusal: str
) -> None:
    terraform_dir = tmp_path / "terraform"
    shutil.copytree(ROOT / "terraform", terraform_dir, ignore=shutil.ignore_patterns(".terraform"))
    main = terraform_dir / "modules" / "platform" / "main.tf"
    main.write_text(breakage(main.read_text()))
    local = Terraform(terraform_dir / "environments" / "local", tmp_path / "data")
    local.init(backend_path=tmp_path / "terraform.tfstate")
    with pytest.raises(TerraformError) as refused:
        local.plan_has_changes({"aws_endpoint": emulator.endpoint, "artifacts_dir": str(DIST)})
    # Terraform wraps long messages at word boundaries: compare with the line breaks undone.
    assert re.search(refusal, " ".join(refused.value.stderr.split())), refused.value.stderr
