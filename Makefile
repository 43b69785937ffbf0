# The two commands: `make run` serves the site, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3
STAMP := $(VENV)/.installed

.PHONY: run test test-postgres install setup lint format check-migrations bench weight screenshots clean

# Re-installs only when the pinned requirements change, so a second `make run` is quick.
$(STAMP): requirements.txt
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

# Migrate, load the FAQ into an empty database (never over admin edits), build derived data.
setup: install
	$(PY) manage.py setup_site

run: setup
	$(VENV)/bin/gunicorn kb.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--access-logfile - --forwarded-allow-ips '127.0.0.1'

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-migrations: install
	$(PY) manage.py makemigrations --check --dry-run

test: lint check-migrations
	$(PY) -m pytest

# The suite again on a throwaway PostgreSQL cluster (needs Debian's postgresql package).
test-postgres: install
	.ci/with-postgres $(PY) -m pytest -p no:cacheprovider

# Speed and memory figures for the README (not a test: nothing here can fail the build):
# search speed, then page throughput of BASE (main by default) against this tree.
BASE ?= main
bench: install
	$(PY) bench/search_bench.py
	$(PY) bench/page_throughput.py --base $(BASE)

# What a browser downloads for the home page and an entry page, on a throwaway site
# (README.md, "Page weight"). WEIGHT_PORT picks the port; by default a free one.
WEIGHT_PORT ?= 0
weight: install
	$(PY) bench/page_weight.py --serve --port $(WEIGHT_PORT)

# Pictures of the site for the README, in docs/screenshots/ (needs /usr/bin/chromium); the
# admin's support loop on a seeded log.
screenshots: install
	$(PY) bench/screenshots.py
	$(PY) bench/support_screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
