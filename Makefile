# Cornerstone: the commands a developer needs. `make run` and `make test` are the two in the README.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SQLITE_TEST_DB := /tmp/cornerstone-test.sqlite3

.PHONY: install run run-workers run-web periodic bench-dashboard test test-sqlite test-fast e2e lint format services-up clean bench bench-ingest bench-blameless

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

## The embedded default: SQLite, tasks run eagerly, demo data, on http://127.0.0.1:8000
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo --url http://127.0.0.1:8000/
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

## Production-like local run: PostgreSQL + Redis, a worker on every queue with beat, and the web server.
## `make run-workers` in one terminal, `make run-web` in another (same database and broker).
PROD_ENV := DEBUG=1 DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/cornerstone} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0}
run-workers: install services-up
	@psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'cornerstone'" | grep -q 1 \
		|| psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE cornerstone"
	$(PROD_ENV) $(BIN)/python manage.py migrate --noinput
	$(PROD_ENV) $(BIN)/celery -A config worker --beat -Q ingest,notify,metrics,default \
		--concurrency 2 --schedule /tmp/cornerstone-celerybeat -l INFO

run-web: install services-up
	$(PROD_ENV) $(BIN)/python manage.py migrate --noinput
	$(PROD_ENV) $(BIN)/python manage.py seed_demo --url http://127.0.0.1:8000/
	$(PROD_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

## The periodic jobs, once, in-process (the embedded default has no beat): sweeps, metrics, reminders.
periodic: install
	DEBUG=1 $(BIN)/python manage.py run_periodic

## The whole suite on the real PostgreSQL and Redis (started if they are down)
test: install services-up
	$(BIN)/coverage run -m pytest
	@$(BIN)/coverage report --skip-covered --skip-empty --sort=cover | tail -n 25

## The same suite on SQLite (row-lock tests skip)
test-sqlite: install
	rm -f $(SQLITE_TEST_DB)
	TEST_DATABASE_URL=sqlite:///$(SQLITE_TEST_DB) $(BIN)/pytest -m "not e2e"

## Everything but the browser journeys
test-fast: install services-up
	$(BIN)/pytest -m "not e2e"

e2e: install services-up
	$(BIN)/pytest -m e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Benchmarks (figures and ratios; nothing asserts). See bench/*.py for what each measures.
bench: bench-blameless bench-dashboard bench-ingest

bench-blameless: install
	$(BIN)/python bench/blameless.py

bench-dashboard: install services-up
	$(BIN)/python bench/dashboard.py

bench-ingest: install services-up
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/ingest.py

services-up:
	@bash scripts/services-up.sh

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
