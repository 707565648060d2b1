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
	$(PY) manage.py makemigrations --check --dry-run -v0

worker: setup
	.venv/bin/celery -A megaproject worker -l info

## Benchmarks against PostgreSQL and Redis (a separate database, megaproject_bench).
BENCH_DB ?= postgres://megaproject@127.0.0.1:5432/megaproject_bench
bench: setup
	@psql -h 127.0.0.1 -U postgres -d postgres -tAq -c "SELECT 1 FROM pg_database WHERE datname='megaproject_bench'" | grep -q 1 \
	  || psql -h 127.0.0.1 -U postgres -d postgres -q -c "CREATE DATABASE megaproject_bench OWNER megaproject"
	DATABASE_URL=$(BENCH_DB) CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/2} \
	  MEDIA_ROOT=$(CURDIR)/bench/results/media $(PY) manage.py migrate --no-input -v0
	DATABASE_URL=$(BENCH_DB) CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/2} \
	  MEDIA_ROOT=$(CURDIR)/bench/results/media $(PY) bench/letters.py
