# Code generation: api-contract/openapi.yaml -> generated/ (see api-contract/codegen/visitor.py).
# Included from the Makefile; standalone: make -f api-contract/codegen/regen.mk regen
# Run from the repo root: black/isort read their settings from ./pyproject.toml.

CODEGEN_VENV ?= .venv-codegen
CONTRACT ?= api-contract/openapi.yaml
GENERATED ?= generated
CODEGEN_DIR := api-contract/codegen

.PHONY: regen regen-check

$(CODEGEN_VENV)/bin/fastapi-codegen: $(CODEGEN_DIR)/requirements.txt
	python3 -m venv $(CODEGEN_VENV)
	$(CODEGEN_VENV)/bin/pip install --quiet -r $(CODEGEN_DIR)/requirements.txt
	touch $@

# visitor.py run as a script = the fastapi-codegen CLI plus model options it doesn't expose.
regen: $(CODEGEN_VENV)/bin/fastapi-codegen
	rm -rf $(GENERATED)
	$(CODEGEN_VENV)/bin/python $(CODEGEN_DIR)/visitor.py \
		--input $(CONTRACT) --output $(GENERATED) \
		--template-dir $(CODEGEN_DIR)/templates --custom-visitor $(CODEGEN_DIR)/visitor.py \
		--output-model-type pydantic_v2.BaseModel --disable-timestamp --strict-nullable -p 3.11

# Fails when generated/ differs from what the contract and templates produce (incl. new files).
regen-check: regen
	@test -z "$$(git status --porcelain -- $(GENERATED))" || \
		{ git status --porcelain -- $(GENERATED); echo "generated/ is stale: run make regen and commit"; exit 1; }
