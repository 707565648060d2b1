# The two commands: `make run` (portal on http://127.0.0.1:8000) and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
export DEBUG ?= true

.PHONY: run setup setup-dev test lint worker bench bench-assign prod-check totp

setup:
	@scripts/setup.sh

setup-dev:
	@scripts/setup.sh --dev

## Set up, migrate, load the demo data and serve the portal (plus a Celery worker and
## beat, the schedule in Asia/Seoul time, when CELERY_BROKER_URL is set).
## The demo's letters and reports are signed PDF/A files: unless DOCUMENT_SIGNING_PKCS12 names a
## certificate, `make run` makes a demo one once (git-ignored, named a demo certificate on every
## document and on /verify) and points the portal at it. Production never uses it (refused with DEBUG off).
DEMO_SIGNING_P12 := $(CURDIR)/var/demo-signing.p12
DEMO_SIGNING = $(if $(DOCUMENT_SIGNING_PKCS12),,DOCUMENT_SIGNING_PKCS12=$(DEMO_SIGNING_P12) DOCUMENT_SIGNING_PASSWORD=demo-signing)
run: setup
	@$(if $(DOCUMENT_SIGNING_PKCS12),true,$(PY) manage.py make_demo_certificate $(DEMO_SIGNING_P12) --password demo-signing)
	$(DEMO_SIGNING) $(PY) manage.py migrate --no-input
	$(DEMO_SIGNING) $(PY) manage.py seed_demo
	@$(if $(DEMO_SIGNING),export $(DEMO_SIGNING);) if [[ -n "$$CELERY_BROKER_URL" ]]; then \
	  echo "==> starting a Celery worker and beat beside the web server"; \
	  .venv/bin/celery -A megaproject worker -l info --concurrency 2 & WORKER=$$!; \
	  .venv/bin/celery -A megaproject beat -l info --schedule "$${TMPDIR:-/tmp}/megaproject-beat-schedule" & BEAT=$$!; \
	  trap "kill $$WORKER $$BEAT 2>/dev/null" EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:8000; \
	else \
	  $(PY) manage.py runserver 127.0.0.1:8000; \
	fi

## Set up and run the whole test suite (lint, migrations check, pytest) on PYTEST_WORKERS processes
## (pytest-xdist): each has its own test database, task queue, Celery workers and media folder; the
## Chromium journeys run one after another on one of them (tests/conftest.py, SERIAL), each other
## module as a whole on either. PYTEST_WORKERS=0 runs everything in one process.
PYTEST_WORKERS ?= 2
test: setup-dev lint
	.venv/bin/pytest $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder)

lint:
	.venv/bin/ruff check .
	.venv/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run -v0

worker: setup
	.venv/bin/celery -A megaproject worker -l info

## The current second-factor code of a demo staff account: make totp USER=ministry (admin, ministry2).
## Demo installs only (refused when DEBUG is off).
totp:
	@$(PY) manage.py totp_code "$(USER)"

## Benchmarks against PostgreSQL and Redis (separate databases megaproject_bench and megaproject_bench_small):
## seeds 10,000 proposals, measures the main pages beside a bare Django page, query counts, letters and exports.
## Prints one table, writes bench/results/bench.json. See README "Benchmarks".
BENCH_DB ?= postgres://megaproject@127.0.0.1:5432/megaproject_bench
bench:
	@scripts/setup.sh --bench
	BENCH_DB=$(BENCH_DB) $(PY) bench/run.py

## The expert assignment alone (also part of `make bench`): optimal plan vs the old greedy on generated
## calls of 300 proposals × 500 and × 20,000 experts, no database. Writes bench/results/assignment.json.
bench-assign:
	DEBUG=true $(PY) bench/assignment.py

## The production topology on this machine (no Docker): nginx with TLS in front of two gunicorn
## processes, a Celery worker and beat, PostgreSQL (database megaproject_prod) and Redis (db 5),
## an SMTP sink, DEBUG off; one journey through https, then everything it started is stopped.
## Needs PostgreSQL and Redis running (see .ci/run). See scripts/prod_check.py.
prod-check: setup-dev
	$(PY) scripts/prod_check.py

## Lock files: requirements.in and requirements-dev.in (the direct dependencies) compiled into
## requirements.txt and requirements-dev.txt, every package pinned with its hashes. To add a package:
## edit the .in file, run `make lock`, commit the four files. Upgrades: make lock LOCK_ARGS=--upgrade
## (or LOCK_ARGS="--upgrade-package NAME").
.PHONY: lock bundle
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" .venv/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
	--strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock: setup-dev
	$(PIP_COMPILE) -o requirements.txt requirements.in
	$(PIP_COMPILE) -o requirements-dev.txt requirements-dev.in

## Offline bundle for servers without any package registry (망분리): dist/offline-bundle/ (wheels of
## every locked package, the npm cache of package-lock.json, the Debian package list, README.txt)
## and dist/offline-bundle.tar.gz. Install with scripts/setup.sh --offline DIR. See scripts/bundle.sh.
bundle:
	@scripts/bundle.sh
