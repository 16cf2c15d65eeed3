# make run: set everything up on a fresh machine and serve http://127.0.0.1:8000/
# make test: the whole test suite (SQLite unless DATABASE_URL says otherwise)
# make smoke: production as the containers run it, on PostgreSQL and Redis (CI runs it)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test smoke lint setup migrate bench loadtest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

setup: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_reference_data
	$(BIN)/python manage.py load_validation_rules
	$(BIN)/python manage.py create_demo_users
	$(BIN)/python manage.py create_demo_reports

run: setup
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(VENV)/.dev
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest

# make smoke: docker/entrypoint.sh's setup, web and worker under production settings, on a
# database of their own (PGHOST, PGPORT, PGUSER; default postgres@127.0.0.1:5432) and Redis
# on 127.0.0.1:6379, driven over HTTP, stopped and dropped at the end; a few minutes
# (scripts/production_smoke.py).
smoke: $(VENV)/.runtime
	$(BIN)/python scripts/production_smoke.py

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# make bench: the benchmark suite on PostgreSQL, on a database of its own (BENCH_DB_URL),
# with the national data set generated first (BENCH_PERIODS, BENCH_SCALE to make it smaller).
BENCH_DB ?= egov_bench
BENCH_DB_URL ?= postgres://postgres@127.0.0.1:5432/$(BENCH_DB)
BENCH_PERIODS ?= 2019Q1:2025Q2
BENCH_SCALE ?= 1
bench: $(VENV)/.dev
	createdb -h 127.0.0.1 -U postgres $(BENCH_DB) 2>/dev/null || true
	DATABASE_URL=$(BENCH_DB_URL) $(BIN)/python manage.py migrate --no-input
	DATABASE_URL=$(BENCH_DB_URL) $(BIN)/python manage.py load_reference_data
	DATABASE_URL=$(BENCH_DB_URL) $(BIN)/python manage.py generate_national_data --clear \
		--periods $(BENCH_PERIODS) --scale $(BENCH_SCALE)
	DATABASE_URL=$(BENCH_DB_URL) $(BIN)/python benchmarks/run.py

# make loadtest: gunicorn on 127.0.0.1 and locust's officials, committees and API clients
# against it (benchmarks/loadtest.py), on the benchmark database as `make bench` left it;
# stops by itself after LOADTEST_TIME, fails if any request failed, writes RESULTS.md.
LOADTEST_USERS ?= 100
LOADTEST_TIME ?= 3m
loadtest: $(VENV)/.dev
	DATABASE_URL=$(BENCH_DB_URL) $(BIN)/python benchmarks/loadtest.py \
		--users $(LOADTEST_USERS) --run-time $(LOADTEST_TIME)
