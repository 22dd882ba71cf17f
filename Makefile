# Cahier — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help install run test lint typecheck pytest translations system-deps bench clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Make .venv and install Cahier with its dev tools
	@$(BIN)/pybabel -q compile -d organizer/translations

run: install ## Migrate, seed the demo, serve web + worker + beat on http://127.0.0.1:$${PORT:-5000}
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) devstack

test: install system-deps lint typecheck pytest ## Install everything the tests need, then lint, type-check and test

lint: install ## ruff: lint and formatting
	$(BIN)/ruff check organizer workers tests app.py
	$(BIN)/ruff format --check organizer workers tests app.py

typecheck: install ## mypy on organizer/ and workers/
	$(BIN)/mypy

# One pytest process per core, each with its own PostgreSQL, Redis, SMTP server, workers and
# Chromium: much of the suite waits on those, so even two cores roughly halve the time. A file's
# tests stay together, in order. `make pytest PYTEST_WORKERS=0` runs everything in one process.
PYTEST_WORKERS ?= auto

pytest: install ## The test suite (starts its own PostgreSQL, Redis, SMTP server and workers)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

# The tests start PostgreSQL and redis-server themselves, drive Debian's Chromium, and make
# PDFs with WeasyPrint (Pango); install whichever of them this machine lacks.
system-deps:
	@missing=""; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	{ command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } \
	  || missing="$$missing postgresql"; \
	fc-list 2>/dev/null | grep -qi dejavu || missing="$$missing fonts-dejavu-core"; \
	ldconfig -p | grep -q libpangoft2 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

bench: install system-deps ## Benchmarks of the production-shaped stack; prints one JSON document
	@missing=""; command -v wrk >/dev/null || missing="wrk"; \
	{ command -v nginx >/dev/null || test -x /usr/sbin/nginx; } || missing="$$missing nginx-light"; \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi
	$(BIN)/python -m tests.bench.run

translations: install ## Extract messages, update the French catalogue, compile
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --project=Cahier -o organizer/translations/messages.pot .
	$(BIN)/pybabel -q update -i organizer/translations/messages.pot -d organizer/translations \
	  --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel -q compile -d organizer/translations --statistics

clean: ## Remove the virtualenv, caches and test artifacts (keeps instance/ data)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts *.egg-info
