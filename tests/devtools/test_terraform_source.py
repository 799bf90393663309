"""devtools.terraform_source: the apps map and a module's declarations, as python-hcl2 reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.terraform_source import Schedule, module_arguments, read_module, read_topology

REPO = Path(__file__).resolve().parents[2]


def test_the_repositorys_topology_is_read() -> None:
    topology = read_topology(REPO / "terraform")
    assert topology.apps["web"].handler == "bff.web.handler.handler"
    assert topology.apps["web"].calls == ("catalog", "inventory", "orders", "payments")
    assert topology.apps["partner"].calls == ("catalog", "inventory", "orders")
    assert topology.apps["orders"].calls == ("catalog",)
    assert topology.behind_authorizer == {"web", "mobile"}
    assert topology.authorizer_handler == "bff.authorizer.handler.handler"
    consumers = {c.handler: c for app in topology.apps.values() for c in app.consumers}
    assert consumers["services.orders.timeline_consumer.handler"].events == ()  # every event of its sources
    assert "OrderPlaced" in consumers["services.inventory.consumers.handler"].events
    assert topology.apps["orders"].schedules == (
        Schedule("services.orders.reconciler.handler", "rate(5 minutes)"),
    )
    assert "services.orders.reconciler.handler" not in consumers  # a schedule, not a queue consumer
    assert {name for name, app in topology.apps.items() if app.outbox} == {"inventory", "orders", "payments"}
    assert topology.relay_handler == "foyer.events.handler.handler"


def test_a_layout_it_cannot_read_is_an_error(tmp_path: Path) -> None:
    platform = tmp_path / "modules" / "platform"
    platform.mkdir(parents=True)
    (platform / "main.tf").write_text("locals {\n}\n")
    (platform / "edge.tf").write_text("")
    (platform / "events.tf").write_text("")
    with pytest.raises(ValueError, match=r"no local\.apps in main\.tf"):
        read_topology(tmp_path)


def test_the_repositorys_apps_map_declares_ports_and_edges() -> None:
    topology = read_topology(REPO / "terraform")
    assert topology.apps["catalog"].port == 8101
    assert topology.apps["catalog"].package == "services.catalog"
    assert topology.edges == {"web", "mobile", "partner"}


def test_a_consumer_without_a_handler_is_named(tmp_path: Path) -> None:
    platform = tmp_path / "modules" / "platform"
    platform.mkdir(parents=True)
    source = REPO / "terraform" / "modules" / "platform"
    for name in ("edge.tf", "events.tf"):
        (platform / name).write_text((source / name).read_text())
    (platform / "main.tf").write_text(
        'locals {\n  apps = {\n    a = {\n      handler = "services.a.handler.handler"\n'
        '      consumers = { c = { sources = ["foyer.b"] } }\n    }\n  }\n}\n'
    )
    with pytest.raises(ValueError, match=r"the consumers entry a\.c names no handler"):
        read_topology(tmp_path)


MODULE = """
terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.100" }
  }
}

variable "tags" {
  description = "Tags."
  type = object({
    team = string
  })
  default = { team = "core", "on call" = [true, null, 1.5] }
}

variable "name" {
  type      = string
  sensitive = true
}

variable "computed" {
  type    = string
  default = "foyer-${terraform.workspace}"
}

output "arn" {
  description = "The ARN."
  value       = "x"
}
"""


def test_a_modules_declarations_are_read_with_their_source_text(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MODULE)
    module = read_module(tmp_path)
    variables = {v.name: v for v in module.variables}
    assert variables["tags"].type == "object({\n    team = string\n  })"
    assert variables["tags"].literal
    assert variables["tags"].value == {"team": "core", "on call": [True, None, 1.5]}
    assert (variables["name"].required, variables["name"].sensitive) == (True, True)
    assert variables["computed"].default == '"foyer-${terraform.workspace}"'
    assert not variables["computed"].literal
    assert not variables["computed"].required
    assert [(o.name, o.description) for o in module.outputs] == [("arn", "The ARN.")]
    assert module.required_version == ">= 1.9"
    assert module.required_providers == {"aws": {"source": "hashicorp/aws", "version": "~> 5.100"}}


def test_text_it_cannot_parse_is_an_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "broken.tf").write_text('variable "x" {\n  type = \n')
    with pytest.raises(ValueError, match=r"broken\.tf: not HCL"):
        read_module(tmp_path)


def test_a_roots_module_arguments_are_read() -> None:
    assert module_arguments(REPO / "terraform" / "environments" / "prod")["platform"]["memory_size"] == 768
