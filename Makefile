# The two commands of README.md: `make run` (the portal with demo data and a worker) and
# `make test` (lint, types, import contracts, the whole test suite). Both need only Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint clean guidance-model

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.base-installed: requirements/base.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.txt
	touch $@

$(VENV)/.dev-installed: requirements/base.txt requirements/dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/dev.txt
	touch $@ $(VENV)/.base-installed

run: $(VENV)/.base-installed
	scripts/run-portal.sh

test: $(VENV)/.dev-installed
	scripts/test.sh

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The review analyzer's learned models, retrained from the annotated reviews in data/ (about a
# minute on two cores; prints the cross-validated figures it stores in the artifact).
guidance-model: $(VENV)/.dev-installed
	$(BIN)/python -m reviews.guidance.train --substanreview data/substanreview/train.jsonl \
		--out reviews/guidance/model.json

clean:
	rm -rf $(VENV) var staticfiles .import_linter_cache .mypy_cache
