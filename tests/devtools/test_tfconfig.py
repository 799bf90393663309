"""The HCL reader behind the generated Terraform READMEs: it reads what terraform reads, or says it cannot."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.cli.tfconfig import HclError, NotLiteral, literal, parse, read_module

TRICKY = r"""
# variable "commented_out" { }
/* variable "also_commented" {
} */
variable "name" {
  description = "Braces { and } and a # or // inside a string, and an escaped \" quote."
  type        = string // trailing comment
  default     = "x-${upper("}")}-$${not_a_template}" # a template: the default is an expression

  validation {
    condition     = var.name == "}" || can(regex("^{[a-z]+}$", var.name))
    error_message = "name must match {braces}."
  }
}

variable "settings" {
  type = object({
    size = number # a comment inside the type
    tags = map(string)
  })
  default = {
    size = 3, tags = { "team" : "core" }
  }
}

variable "policy" {
  description = <<-EOT
    A heredoc description
      keeping relative indent, with } and "quotes".
    EOT
  type        = string
  sensitive   = true
}

output "single_line" { value = { a = 1 } }

output "described" {
  description = "Unicode \u00e9 and a tab\tstop."
  value       = [for v in ["a", "b"] : "${v}}"]
}
"""


@pytest.fixture
def module(tmp_path: Path) -> Path:
    (tmp_path / "main.tf").write_text(TRICKY)
    (tmp_path / "versions.tf").write_text(
        'terraform {\n  required_version = ">= 1.9"\n  required_providers {\n'
        '    aws = { source = "hashicorp/aws", version = "~> 5.100" }\n  }\n  backend "local" {}\n}\n'
    )
    return tmp_path


def test_reads_variables_through_strings_templates_comments_and_heredocs(module: Path) -> None:
    config = read_module(module)
    names = [v.name for v in config.variables]
    assert names == ["name", "settings", "policy"]
    name, settings, policy = config.variables
    assert name.description == 'Braces { and } and a # or // inside a string, and an escaped " quote.'
    assert name.type == "string"
    assert name.default == '"x-${upper("}")}-$${not_a_template}"'
    assert settings.type == "object({\n    size = number\n    tags = map(string)\n  })"
    assert literal(settings.default or "") == {"size": 3, "tags": {"team": "core"}}
    assert settings.description is None
    assert not settings.required
    assert policy.description == 'A heredoc description\n  keeping relative indent, with } and "quotes".\n'
    assert policy.required
    assert policy.sensitive


def test_reads_outputs_and_requirements(module: Path) -> None:
    config = read_module(module)
    assert [(o.name, o.description) for o in config.outputs] == [
        ("single_line", None),
        ("described", "Unicode \u00e9 and a tab\tstop."),
    ]
    assert config.required_version == ">= 1.9"
    assert config.required_providers == {"aws": {"source": "hashicorp/aws", "version": "~> 5.100"}}


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ('"python3.12"', "python3.12"),
        ("null", None),
        ("-1.5e3", -1500.0),
        ('["arm64",\n  "x86_64", # why\n]', ["arm64", "x86_64"]),
        ('{ a = true, "b" : [] }', {"a": True, "b": []}),
        ('"$${literal}"', "${literal}"),
    ],
)
def test_literal_values(source: str, value: object) -> None:
    assert literal(source) == value


@pytest.mark.parametrize(
    "source",
    ["var.x", '"${var.x}"', "1 + 2", "true && false", "{ (var.k) = 1 }", "[for x in y : x]", "nullx"],
)
def test_expressions_are_not_literals(source: str) -> None:
    with pytest.raises(NotLiteral):
        literal(source)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('variable "a" {\n  default = "unclosed\n}\n', "main.tf:2: newline in a quoted string"),
        ('variable "a" {\n  type = list(string\n}\n', "main.tf:3: unbalanced '}'"),
        ('variable "a" {\n  type = string\n', "main.tf:3: unclosed block"),
        ('variable "a" {\n  type = string\n  type = number\n}\n', "main.tf:3: attribute 'type' is set twice"),
        ("locals = {}\n", "unexpected top-level attribute 'locals'"),
    ],
)
def test_what_it_cannot_read_is_an_error_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(HclError, match=message.replace("(", r"\(").replace("[", r"\[")):
        parse(text, "main.tf")
