# SilverStar: `make run` serves the API with a worker; `make test` runs every check CI runs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

include api-contract/codegen/regen.mk

.PHONY: install run test lint typecheck unit contract migrate lock

$(BIN)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/silverstar run

migrate: install
	$(BIN)/silverstar migrate

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy kernel silverstar services handlers persistence workers adapters generated

unit: install
	$(BIN)/python -m pytest -q

contract: install
	$(BIN)/python contract-tests/run.py

# Every check CI runs: the contract and generated/ in step, lint, types, tests, fuzzing.
test: regen-check lint typecheck unit contract

# Re-pin after changing dependencies in pyproject.toml.
lock: install
	$(BIN)/pip freeze --exclude-editable > requirements.lock
