# SilverStar: `make run` serves the API with a worker; `make test` runs every check CI runs.
# Python 3.11 (pyproject: >=3.11,<3.12): python3.11 where it exists, else python3.
PYTHON ?= $(shell command -v python3.11 || echo python3)
VENV ?= .venv
BIN := $(VENV)/bin

include api-contract/codegen/regen.mk

.PHONY: install run test lint typecheck unit contract migrate lock

# requirements.lock is the runtime (what the image installs); requirements-dev.lock adds tests and tools.
$(BIN)/.installed: requirements.lock requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock -r requirements-dev.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

install: $(BIN)/.installed

PORT ?= 8000
run: install
	$(BIN)/silverstar run --port $(PORT)

migrate: install
	$(BIN)/silverstar migrate

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy kernel silverstar services handlers persistence workers adapters generated

unit: install
	$(BIN)/python -m pytest -q

contract: install
	$(BIN)/python contract-tests/run.py

# Every check CI runs: the contract and generated/ in step, lint, types, fuzzing, tests
# (pytest last, so its summary ends the output).
test: regen-check lint typecheck contract unit

# Re-pin after changing dependencies in pyproject.toml (install them into .venv first): writes
# requirements.lock (the runtime closure) and requirements-dev.lock (the dev extra on top).
lock: install
	$(BIN)/python tools/lock.py
