# Code generation: api-contract/openapi.yaml -> generated/ (see api-contract/codegen/visitor.py)
# and -> the TypeScript client's clients/typescript/libs/generated/ (@hey-api/openapi-ts).
# Included from the Makefile; standalone: make -f api-contract/codegen/regen.mk regen
# Run from the repo root: black/isort read their settings from ./pyproject.toml.

CODEGEN_VENV ?= .venv-codegen
CONTRACT ?= api-contract/openapi.yaml
GENERATED ?= generated
CODEGEN_DIR := api-contract/codegen
TS_CLIENT ?= clients/typescript
TS_GENERATED := $(TS_CLIENT)/libs/generated

VENV ?= .venv
# visitor.py run as a script = the fastapi-codegen CLI plus model options it doesn't expose.
# `$(CODEGEN) --input <contract> --output <dir>`: regen-python and the codegen tests (on fixture.yaml).
CODEGEN = $(CODEGEN_VENV)/bin/python $(CODEGEN_DIR)/visitor.py \
	--template-dir $(CODEGEN_DIR)/templates --custom-visitor $(CODEGEN_DIR)/visitor.py \
	--output-model-type pydantic_v2.BaseModel --disable-timestamp --strict-nullable -p 3.11

.PHONY: regen regen-python regen-check codegen-test

$(CODEGEN_VENV)/bin/fastapi-codegen: $(CODEGEN_DIR)/requirements.txt
	python3 -m venv $(CODEGEN_VENV)
	$(CODEGEN_VENV)/bin/pip install --quiet -r $(CODEGEN_DIR)/requirements.txt
	touch $@

# The client's pinned generator and compiler, installed from its lock file (npm ci writes the stamp).
$(TS_CLIENT)/node_modules/.package-lock.json: $(TS_CLIENT)/package.json $(TS_CLIENT)/package-lock.json
	cd $(TS_CLIENT) && npm ci --no-audit --no-fund
	touch $@

# The Python half of regen: $(CONTRACT) -> $(GENERATED)/{models,routes,__init__}.py.
regen-python: $(CODEGEN_VENV)/bin/fastapi-codegen
	rm -rf $(GENERATED)
	$(CODEGEN) --input $(CONTRACT) --output $(GENERATED)

regen: regen-python $(TS_CLIENT)/node_modules/.package-lock.json
	cd $(TS_CLIENT) && SILVERSTAR_CONTRACT=$(abspath $(CONTRACT)) npm run --silent generate

# The visitor's tests: pytest (app venv) on api-contract/codegen/tests, which runs regen-python on
# fixture.yaml into a temporary directory and exercises the generated models and router.
# Needs the app venv ($(VENV), `make install`); the root pytest run (testpaths) doesn't collect them.
codegen-test: $(CODEGEN_VENV)/bin/fastapi-codegen $(VENV)/bin/.installed
	$(VENV)/bin/python -m pytest -q $(CODEGEN_DIR)/tests

# Fails when generated/ or the TypeScript client differ from what the contract produces (incl. new files).
regen-check: regen codegen-test
	@test -z "$$(git status --porcelain -- $(GENERATED) $(TS_GENERATED))" || \
		{ git status --porcelain -- $(GENERATED) $(TS_GENERATED); \
		  echo "generated code is stale: run make regen and commit"; exit 1; }
