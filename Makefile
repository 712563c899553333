# waste-tracker — two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test stop db system lint bench clean-db help

help:
	@echo "make run    - set up, start the database, load Jiaxing demo data, serve http://$(HOST):$(PORT)/docs"
	@echo "make test   - set up, then run the whole test suite against a real PostGIS"
	@echo "make stop   - stop the embedded database"
	@echo "make lint   - ruff, and mypy (strict) on waste_tracker/"
	@echo "make bench  - short benchmark run (prints a table, writes bench/results/)"

system:
	@scripts/setup-system.sh --web

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	@touch $(STAMP)

install: system $(STAMP)

db: install
	$(BIN)/waste-tracker db up

run: install
	$(BIN)/waste-tracker bootstrap
	$(BIN)/waste-tracker serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest

stop:
	@[ -x $(BIN)/waste-tracker ] && $(BIN)/waste-tracker db down || true

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	$(BIN)/python -m bench.run --short

clean-db: stop
	rm -rf .data
