# Foyer: `make dev` runs the whole platform locally, `make test` runs the whole suite.
# Both bootstrap everything they need: uv in .tools/, the locked environment in .venv/.
SHELL := /bin/bash
PYTHON ?= python3.11
UV := .tools/bin/uv
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: help install dev test test-unit lint package bench cost dlq smoke fmt docs clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv>=0.9,<1"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

# checkov in its own environment: it pulls a fork of python-hcl2 that breaks other packages.
.tools/checkov/bin/checkov:
	$(PYTHON) -m venv .tools/checkov
	.tools/checkov/bin/pip install --quiet "checkov>=3.2,<4"

install: $(VENV)/.synced ## create .venv from uv.lock

package: install ## build one deterministic Lambda zip per app into dist/, and docker-compose.yml's app containers
	$(PY) -m devtools.cli.package
	$(PY) -m devtools.cli.compose

dev: package ## run the whole platform locally (emulator, terraform apply, every app)
	$(PY) -m devtools.devstack $(DEV_ARGS)

test: package .tools/checkov/bin/checkov ## run the whole test suite (unit, integration, terraform, e2e)
	$(PY) -m pytest $(PYTEST_ARGS)

# The fast loop: every test that needs no emulator, no Terraform and no stack. tests/conftest.py marks
# `integration` each test whose fixtures reach the emulator; terraform-running tests say `terraform`.
test-unit: install ## run the tests that need no emulator, Terraform or stack (under a minute)
	$(PY) -m pytest -m "not integration and not terraform" -n auto $(PYTEST_ARGS)

lint: install ## ruff, mypy, import-linter contracts, terraform fmt, actionlint, docs checks
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	terraform fmt -check -recursive terraform
	$(VENV)/bin/actionlint
	$(PY) -m pytest -q -p no:cacheprovider tests/docs

dlq: install ## dead-letter queues: make dlq ARGS="list | show QUEUE | redrive QUEUE [--to QUEUE]"
	$(PY) -m devtools.cli.dlq $(ARGS)

# ENV=local (the default) checks the running `make dev` stack in Lambda mode; ENV=dev|staging|prod the
# applied root (terraform/environments/<ENV>, initialised), with AWS credentials for its account.
ENV ?= local
smoke: install ## post-deploy checks of an environment: make smoke ENV=dev [SMOKE_ARGS="--partner-key K"]
	$(PY) -m devtools.cli.smoke $(if $(filter local,$(ENV)),--stack-file .local/stack.json,--env $(ENV)) $(SMOKE_ARGS)

fmt: install ## format python and terraform
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
	terraform fmt -recursive terraform

docs: install ## regenerate the Terraform READMEs' Requirements/Inputs/Outputs tables
	$(PY) -m devtools.cli.tfdocs

bench: package ## run the benchmarks (ratios against baselines measured in the same run)
	$(PY) -m bench

cost: install ## monthly cost and cheapest memory per function, from dist/bench.json (run make bench first)
	$(PY) -m devtools.cli.cost $(COST_ARGS)

clean: ## remove build output and local state
	rm -rf dist build .local
