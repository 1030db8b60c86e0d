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

.PHONY: regen regen-check

$(CODEGEN_VENV)/bin/fastapi-codegen: $(CODEGEN_DIR)/requirements.txt
	python3 -m venv $(CODEGEN_VENV)
	$(CODEGEN_VENV)/bin/pip install --quiet -r $(CODEGEN_DIR)/requirements.txt
	touch $@

# The client's pinned generator and compiler, installed from its lock file (npm ci writes the stamp).
$(TS_CLIENT)/node_modules/.package-lock.json: $(TS_CLIENT)/package.json $(TS_CLIENT)/package-lock.json
	cd $(TS_CLIENT) && npm ci --no-audit --no-fund
	touch $@

# visitor.py run as a script = the fastapi-codegen CLI plus model options it doesn't expose.
regen: $(CODEGEN_VENV)/bin/fastapi-codegen $(TS_CLIENT)/node_modules/.package-lock.json
	rm -rf $(GENERATED)
	$(CODEGEN_VENV)/bin/python $(CODEGEN_DIR)/visitor.py \
		--input $(CONTRACT) --output $(GENERATED) \
		--template-dir $(CODEGEN_DIR)/templates --custom-visitor $(CODEGEN_DIR)/visitor.py \
		--output-model-type pydantic_v2.BaseModel --disable-timestamp --strict-nullable -p 3.11
	cd $(TS_CLIENT) && SILVERSTAR_CONTRACT=$(abspath $(CONTRACT)) npm run --silent generate

# Fails when generated/ or the TypeScript client differ from what the contract produces (incl. new files).
regen-check: regen
	@test -z "$$(git status --porcelain -- $(GENERATED) $(TS_GENERATED))" || \
		{ git status --porcelain -- $(GENERATED) $(TS_GENERATED); \
		  echo "generated code is stale: run make regen and commit"; exit 1; }
