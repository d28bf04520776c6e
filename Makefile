# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: run test lint format migrations messages doctor clean schema

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

## run: the whole platform with embedded defaults and demo data (Ctrl-C stops it)
run: $(VENV)/.runtime
	$(MANAGE) run_platform

## test: lint, then every test (SQLite, or PostgreSQL when DATABASE_URL is set)
test: $(VENV)/.dev
	bash scripts/ensure-chromium.sh
	$(MANAGE) compile_translations --verbosity 0
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## lint: ruff, the layers and import rules of docs/architecture.md (import-linter), and mypy
lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations: $(VENV)/.dev
	$(MANAGE) makemigrations

## schema: regenerate the committed OpenAPI schema docs/api/openapi.yaml (a test compares them)
schema: $(VENV)/.dev
	$(MANAGE) spectacular --lang en --validate --file docs/api/openapi.yaml

## messages: update locale/*/django.po from the code and templates (needs GNU gettext)
messages: $(VENV)/.dev
	$(MANAGE) makemessages --locale nl --locale en --no-obsolete --ignore '.venv/*' --ignore 'tests/*' --ignore 'benchmarks/*'

doctor: $(VENV)/.runtime
	$(MANAGE) doctor

clean:
	rm -rf var/test.sqlite3* var/scratch .pytest_cache
