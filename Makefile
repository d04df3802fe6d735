# Developer set-up for CSS Marketplace.
#
#   make run    run the app on demo data at http://127.0.0.1:5000, on 19 November 2012
#   make serve  run it as in production: gunicorn, 2 workers, PostgreSQL and Redis
#   make test   lint, then run the whole suite on SQLite and on PostgreSQL
#   make lint   ruff and the import-linter contracts for the layers
#   make bench  run every benchmark in bench/
#
# Installs are stamped, so they are repeated only when setup.cfg / pyproject.toml or
# package-lock.json change. run and serve install only what running needs; test and setup
# add the test tools (pytest, Playwright, axe-core ...) and Chromium.

SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM := /usr/bin/chromium
HOST := 127.0.0.1
PORT := 5000

# The default environment is production, which (rightly) refuses to start without SECRET_KEY.
FLASK := MARKETPLACE_ENV=development $(BIN)/flask --app wsgi

# Root needs no sudo (CI runs as root); anybody else is asked for it.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

PYTHON_STAMP := $(VENV)/.installed
PYTHON_TEST_STAMP := $(VENV)/.installed-test
PYTHON_DEV_STAMP := $(VENV)/.installed-dev
NODE_STAMP := node_modules/.installed
NODE_TEST_STAMP := node_modules/.installed-test

.PHONY: run serve test lint bench setup runtime python-deps python-test-deps python-dev-deps node-deps \
  node-test-deps system-deps chromium database

# "Now" for the demo: the seeded competitions stand at their stages on Monday 19 November
# 2012 (README, "Buying demo"): one open, one in evaluation, one in standstill ...; nothing
# seeded is dated after it. Without it the real time would close every competition and end
# every standstill at the first page. `make run DEMO_NOW=` runs on the real time.
DEMO_NOW ?= 2012-11-19T09:00:00+00:00

# The site's emails go to a local mail catcher, a real SMTP server (aiosmtpd, the `dev`
# extra) that keeps each message in a Maildir; /dev/mail shows them. It stops with the site.
MAIL_CATCHER_PORT ?= 1025
# The catcher makes the Maildir (tmp, new, cur) itself, only if the folder does not exist yet.
MAIL_CATCHER_DIR ?= $(CURDIR)/instance/mail

run: runtime python-dev-deps database
	$(FLASK) demo-logins
	@mkdir -p "$(dir $(MAIL_CATCHER_DIR))"
	@echo "Serving CSS Marketplace at http://$(HOST):$(PORT) (Ctrl-C to stop), as at $(or $(DEMO_NOW),the real time)"
	@echo "Catching its mail at $(HOST):$(MAIL_CATCHER_PORT): read it at http://$(HOST):$(PORT)/dev/mail"
	$(BIN)/python -m aiosmtpd --nosetuid --listen $(HOST):$(MAIL_CATCHER_PORT) \
	  --class aiosmtpd.handlers.Mailbox "$(MAIL_CATCHER_DIR)" & catcher=$$!; \
	trap 'kill $$catcher 2>/dev/null' EXIT INT TERM; \
	MAIL_SERVER=$(HOST) MAIL_PORT=$(MAIL_CATCHER_PORT) MAIL_CATCHER_DIR="$(MAIL_CATCHER_DIR)" \
	  MARKETPLACE_TODAY=$(DEMO_NOW) $(FLASK) run --host $(HOST) --port $(PORT)

# As in production: migrate, then gunicorn with two workers. The environment must give
# SECRET_KEY, DATABASE_URL (PostgreSQL), REDIS_URL (shared login limits and job queue) and
# PUBLIC_BASE_URL (absolute URLs are built from it, never from the Host header).
SERVE_BIND ?= 127.0.0.1:8000
SERVE_WORKERS ?= 2
# Threaded workers: a request waiting on PostgreSQL does not hold up the others in its worker.
# bench/load.py starts gunicorn with these same options.
# Keep-alive longer than a proxy's idle timeout (60s is common), so the proxy, not gunicorn,
# closes idle connections and never sends a request down one gunicorn has just closed.
# The app logs every request itself (JSON, with its request id), so gunicorn's access log is
# off; the config module drops dead workers' gauges and formats gunicorn's own lines.
GUNICORN_OPTIONS := --workers $(SERVE_WORKERS) --worker-class gthread --threads 4 \
  --keep-alive 75 --timeout 60 --graceful-timeout 30 --no-control-socket \
  --config python:marketplace.gunicorn_config
PRODUCTION := MARKETPLACE_ENV=production
# Each worker writes its metrics here and a scrape adds them up; emptied at every start, as
# prometheus_client's multiprocess mode requires.
PROMETHEUS_MULTIPROC_DIR ?= $(CURDIR)/instance/prometheus

serve: runtime
	@test -n "$$SECRET_KEY" || { echo "make serve: set SECRET_KEY (a long random string)" >&2; exit 1; }
	@case "$$DATABASE_URL" in postgres://*|postgresql://*|postgresql+psycopg://*) ;; \
	  *) echo "make serve: set DATABASE_URL to a PostgreSQL URL" >&2; exit 1;; esac
	@test -n "$$REDIS_URL" || { echo "make serve: set REDIS_URL (e.g. redis://127.0.0.1:6379/0)" >&2; exit 1; }
	@test -n "$$PUBLIC_BASE_URL" || { echo "make serve: set PUBLIC_BASE_URL (the address people use, e.g. https://marketplace.example.nhs.uk)" >&2; exit 1; }
	$(PRODUCTION) env -u PROMETHEUS_MULTIPROC_DIR $(BIN)/flask --app wsgi db upgrade
	rm -rf "$(PROMETHEUS_MULTIPROC_DIR)" && mkdir -p "$(PROMETHEUS_MULTIPROC_DIR)"
	@echo "Serving CSS Marketplace with gunicorn at http://$(SERVE_BIND) ($(SERVE_WORKERS) workers)"
	$(PRODUCTION) PROMETHEUS_MULTIPROC_DIR="$(PROMETHEUS_MULTIPROC_DIR)" \
	  exec $(BIN)/gunicorn $(GUNICORN_OPTIONS) --bind $(SERVE_BIND) wsgi:app

# ruff (rules in pyproject.toml) and the import-linter contracts for the layers (setup.cfg,
# [importlinter]) run first: a broken layer or a lint error fails fast, before the suites.
test: setup chromium lint
	@failed=""; \
	for kind in sqlite postgresql; do \
	  echo; echo "==> pytest on $$kind"; \
	  TEST_DATABASE=$$kind $(BIN)/python -m pytest -q -n 2 || failed="$$failed $$kind"; \
	done; \
	echo; \
	if [ -n "$$failed" ]; then echo "==> FAILED on:$$failed"; exit 1; fi; \
	echo "==> passed on sqlite and postgresql"

lint: python-test-deps
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: python-test-deps
	@for f in bench/*.py; do \
	  echo "==> $$f"; \
	  $(BIN)/python "$$f" || exit 1; \
	done

runtime: system-deps python-deps node-deps

setup: system-deps python-test-deps node-test-deps

python-deps: $(PYTHON_STAMP)

python-test-deps: $(PYTHON_TEST_STAMP)

python-dev-deps: $(PYTHON_DEV_STAMP)

node-deps: $(NODE_STAMP)

node-test-deps: $(NODE_TEST_STAMP)

# The venv needs Debian's python3-venv, checked by system-deps first.
$(PYTHON_STAMP): setup.cfg pyproject.toml | system-deps
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(PYTHON_DEV_STAMP): $(PYTHON_STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

$(PYTHON_TEST_STAMP): $(PYTHON_STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

# npm ci empties node_modules first (stamps included), so each stamp is written after it,
# and a full install stands for the runtime one too.
$(NODE_STAMP): package-lock.json package.json
	npm ci --omit=dev --no-audit --no-fund
	@touch $@

$(NODE_TEST_STAMP): package-lock.json package.json
	npm ci --no-audit --no-fund
	@touch $(NODE_STAMP) $@

# Shared libraries the app loads at run time, as soname=Debian package. WeasyPrint opens
# GLib, fontconfig, Pango and HarfBuzz itself; psycopg, Pillow, cffi and argon2 come
# as self-contained wheels; the fonts come from npm. Without libharfbuzz-subset0, WeasyPrint
# falls back to fontTools with a warning (installing chromium for the tests pulls it in, so
# only a machine without the test tools showed it). Checked by soname, installed by package.
RUNTIME_LIBRARIES := libgobject-2.0.so.0=libglib2.0-0 libfontconfig.so.1=libfontconfig1 \
  libpango-1.0.so.0=libpango-1.0-0 libpangoft2-1.0.so.0=libpangoft2-1.0-0 \
  libharfbuzz.so.0=libharfbuzz0b libharfbuzz-subset.so.0=libharfbuzz-subset0
LDCONFIG := $(or $(shell command -v ldconfig 2>/dev/null),/sbin/ldconfig)

system-deps:
	@missing=""; \
	for pair in $(RUNTIME_LIBRARIES); do \
	  $(LDCONFIG) -p | grep -q "^[[:space:]]*$${pair%%=*} " || missing="$$missing $${pair#*=}"; \
	done; \
	$(PYTHON) -c "import ensurepip" 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "==> installing the system packages CSS Marketplace needs:$$missing"; \
	  { $(SUDO) apt-get update && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$$missing; } || \
	  { echo "make: could not install them. As root, run: apt-get install -y$$missing" >&2; exit 1; }; \
	fi

database: python-deps
	$(FLASK) db upgrade
	$(FLASK) seed-demo

# Browser tests drive Debian's Chromium by path; Playwright never downloads a browser here.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "==> $(CHROMIUM) is missing: installing Debian's chromium"; \
	  $(SUDO) apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi
