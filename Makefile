# The two commands: `make run` (portal on http://127.0.0.1:8000) and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
export DEBUG ?= true

.PHONY: run setup setup-dev test lint worker bench

setup:
	@scripts/setup.sh

setup-dev:
	@scripts/setup.sh --dev

## Set up, migrate, load the demo data and serve the portal (plus a Celery worker
## when CELERY_BROKER_URL is set).
run: setup
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	@if [[ -n "$$CELERY_BROKER_URL" ]]; then \
	  echo "==> starting a Celery worker beside the web server"; \
	  .venv/bin/celery -A megaproject worker -l info --concurrency 2 & WORKER=$$!; \
	  trap "kill $$WORKER 2>/dev/null" EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:8000; \
	else \
	  $(PY) manage.py runserver 127.0.0.1:8000; \
	fi

## Set up and run the whole test suite (lint, migrations check, pytest).
test: setup-dev lint
	.venv/bin/pytest

lint:
	.venv/bin/ruff check .
	.venv/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run -v0

worker: setup
	.venv/bin/celery -A megaproject worker -l info

## Benchmarks against PostgreSQL and Redis (separate databases megaproject_bench and megaproject_bench_small):
## seeds 10,000 proposals, measures the main pages beside a bare Django page, query counts, letters and exports.
## Prints one table, writes bench/results/bench.json. See README "Benchmarks".
BENCH_DB ?= postgres://megaproject@127.0.0.1:5432/megaproject_bench
bench:
	@scripts/setup.sh --bench
	BENCH_DB=$(BENCH_DB) $(PY) bench/run.py
