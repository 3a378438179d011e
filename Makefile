# eventapp — two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app eventapp
HOST ?= 127.0.0.1
PORT ?= 5000
PO_FILES := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run serve test test-only lint format translations compile-translations browser bench clean help

help:
	@echo "make run    - install, migrate, load the demo data, serve http://$(HOST):$(PORT)"
	@echo "              (with a background-jobs worker and beat beside it; Ctrl+C stops all)"
	@echo "make test   - install, lint, run the whole test suite"
	@echo "make serve  - the same app under gunicorn (with the worker and beat too)"
	@echo "make lint   - ruff check + ruff format --check"
	@echo "make bench  - the benchmark harness (see docs/benchmarks.md)"
	@echo "make translations - extract strings and update the catalogues"

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(VENV)/.runtime
	$(BIN)/pybabel compile --use-fuzzy -d translations -l $* >/dev/null

compile-translations: $(MO_FILES)

run: $(VENV)/.runtime compile-translations
	$(FLASK) db upgrade
	$(FLASK) demo load
	@echo "Serving http://$(HOST):$(PORT), with a jobs worker and beat (Ctrl+C stops all)"
	BASE_URL="$${BASE_URL:-http://$(HOST):$(PORT)}" $(FLASK) run-all --host $(HOST) --port $(PORT)

serve: $(VENV)/.runtime compile-translations
	$(FLASK) db upgrade
	$(FLASK) run-all --gunicorn 2 --host $(HOST) --port $(PORT)

# Debian's Chromium for the real-browser tests (Playwright drives it; no browser download).
browser:
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		(apt-get install -y -qq chromium >/dev/null 2>&1 || \
		 (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1)) || \
		echo "Could not install chromium: the browser tests will be skipped."; \
	else \
		echo "No /usr/bin/chromium and no root apt-get: the browser tests will be skipped."; \
	fi

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The suite on every core (pytest-xdist): each worker has its own database; browser and
# live-server tests share one worker (see tests/conftest.py). PYTEST_WORKERS=0 runs in-process.
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup

test: $(VENV)/.dev compile-translations browser lint
	$(PYTEST)

# The suite alone (CI runs it a second time against PostgreSQL).
test-only: $(VENV)/.dev compile-translations
	$(PYTEST)

translations: $(VENV)/.dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 --no-location --sort-output \
		--omit-header -o translations/messages.pot . >/dev/null
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching \
		--width 100 --ignore-obsolete >/dev/null
	$(MAKE) compile-translations

# make bench SCENARIO=rush DATABASES=sqlite SERVERS=sync  (any of them alone; QUICK=1: small)
SCENARIO ?=
DATABASES ?= sqlite,postgresql
SERVERS ?= sync,gthread
BENCH_ARGS = --databases $(DATABASES) --servers $(SERVERS) $(if $(SCENARIO),--only $(SCENARIO)) \
	$(if $(QUICK),--quick) $(if $(PEOPLE),--people $(PEOPLE))

bench: $(VENV)/.dev compile-translations
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find translations -name '*.mo' -delete
