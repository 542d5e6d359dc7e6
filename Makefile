# Developer entry points. Every target installs what it needs into .venv.
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
CONSTRAINTS := constraints.txt
STAMP := $(VENV)/.installed

.PHONY: help venv install generate check-generated check-breaking lint typecheck test bench demo docs docs-doctest release publish clean

help:
	@echo "make demo      start a reference server and run examples/train.py with live logs"
	@echo "make test      install everything and run every test and check"
	@echo "make generate  regenerate generated_client/ from openapi.yaml"
	@echo "make lint      ruff and the openapi.yaml copy check"
	@echo "make typecheck mypy --strict on the SDK and the CLI"
	@echo "make bench     SDK and CLI benchmarks, medians beside their baselines"
	@echo "make docs      build the HTML documentation into docs/_build/html"
	@echo "make docs-doctest  run every code example in the docs against a reference server"
	@echo "make check-breaking  compare openapi.yaml with the last released spec"
	@echo "make release   check, build and smoke-test the three distributions (DRY_RUN=1 to preview)"
	@echo "make publish   upload the built distributions (a dry run unless PUBLISH_FLAGS=--no-dry-run)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python $(CONSTRAINTS) requirements-dev.txt examples/requirements.txt pyproject.toml server/pyproject.toml generated_client/pyproject.toml
	$(PIP) install --quiet --disable-pip-version-check -c $(CONSTRAINTS) pip
	$(PIP) install --quiet --disable-pip-version-check -c $(CONSTRAINTS) \
		-r requirements-dev.txt -r examples/requirements.txt \
		-e ./generated_client -e ./server -e .
	touch $(STAMP)

venv install: $(STAMP)

# Regenerate into a temporary folder, then replace the committed client in one step.
generate: $(STAMP)
	tmp=$$(mktemp -d)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python tools/generate_client.py --output "$$tmp/out"
	rm -rf generated_client
	mv "$$tmp/out" generated_client
	rm -rf "$$tmp"
	cp openapi.yaml server/ml_platform_server/openapi.yaml

check-generated: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python tools/generate_client.py --check generated_client

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cmp openapi.yaml server/ml_platform_server/openapi.yaml || \
		{ echo "server/ml_platform_server/openapi.yaml differs from openapi.yaml: run 'make generate'"; exit 1; }

typecheck: $(STAMP)
	$(BIN)/mypy

check-breaking: $(STAMP)
	$(BIN)/python tools/check_breaking.py

# DRY_RUN=1 runs the checks and prints the build, twine and smoke-test commands instead.
release: $(STAMP)
	$(BIN)/python tools/release.py $(if $(DRY_RUN),--dry-run)

# A dry run unless PUBLISH_FLAGS="--no-dry-run [--repository testpypi]" is given.
publish: $(STAMP)
	$(BIN)/python tools/release.py publish $(PUBLISH_FLAGS)

test: $(STAMP) check-generated check-breaking lint typecheck
	$(BIN)/python -m pytest -p no:cacheprovider tests

# pip compiles an installed wheel to bytecode, so the benchmarks compile the editable sources
# first: otherwise a PYTHONDONTWRITEBYTECODE environment times the compiler, not the tools.
bench: $(STAMP)
	$(BIN)/python -m compileall -q ml_platform cli/mlp_cli generated_client server >/dev/null
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python bench/bench_sdk.py
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python bench/bench_cli.py

docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

docs-doctest: $(STAMP)
	$(BIN)/python docs/run_doctests.py --output docs/_build/doctest

demo: $(STAMP)
	$(BIN)/python tools/demo.py

clean:
	rm -rf $(VENV) .mlp-demo docs/_build dist
