# The two commands: `make run` serves the site, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3
STAMP := $(VENV)/.installed

.PHONY: run test test-fast test-postgres install setup lint format check-migrations check-deploy bench bench-compare weight screenshots clean

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
	KB_BIND=$(HOST):$(PORT) WEB_CONCURRENCY=$(WORKERS) \
		$(VENV)/bin/gunicorn kb.wsgi --config deploy/gunicorn.conf.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-migrations: install
	$(PY) manage.py makemigrations --check --dry-run

# Django's deployment checklist with the variables a production node sets
# (docs/production.md): any warning fails. The key here is a throwaway, never a real one.
check-deploy: install
	KB_DATA_DIR=$$(mktemp -d) DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	DJANGO_ALLOWED_HOSTS=kb.example.com DJANGO_CSRF_TRUSTED_ORIGINS=https://kb.example.com \
	DJANGO_BEHIND_HTTPS_PROXY=true DJANGO_SECURE_COOKIES=true DJANGO_SSL_REDIRECT=true \
	DJANGO_HSTS_SECONDS=31536000 DJANGO_HSTS_INCLUDE_SUBDOMAINS=true DJANGO_HSTS_PRELOAD=true \
	KB_SITE_URL=https://kb.example.com DATABASE_URL=postgres://kb@db.example.com/kb KB_TRUSTED_PROXIES=127.0.0.1 \
	DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend \
	$(PY) manage.py check --deploy --fail-level WARNING

# Tests run in TEST_WORKERS processes (pytest-xdist), one per core of a 2-core machine; the
# two-node tests share one worker and the fault tests another (xdist_group), so their servers
# start once. TEST_WORKERS=0 runs everything in this process.
TEST_WORKERS ?= 2
PYTEST := $(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup

test: lint check-migrations
	$(PYTEST)

# The edit-test loop: everything but the browser, two-node and fault tests.
test-fast: install
	$(PYTEST) -m "not browser and not nodes and not faults"

# The suite again on a throwaway PostgreSQL cluster (needs Debian's postgresql package).
test-postgres: install
	.ci/with-postgres $(PYTEST) -p no:cacheprovider

# Speed, memory and page weight at size beside their references, in one table (docs/benchmark.md;
# not a test: nothing here can fail the build). SIZES picks the corpus sizes
# (make bench SIZES=1000,10000,50000); BUDGET the seconds of searching per engine and size.
# The table also goes into BENCH_DOC, replacing the last run of the same kind: commit it
# (BENCH_DOC= writes no document).
SIZES ?= 1000
BUDGET ?= 300
BENCH_DOC ?= docs/benchmark.md
bench: install
	$(PY) bench/search_bench.py
	$(PY) -m bench.run --sizes $(SIZES) --budget $(BUDGET) $(if $(BENCH_DOC),--doc $(BENCH_DOC))

# Page throughput of another revision (BASE, main by default) beside this tree's, side by side.
BASE ?= main
bench-compare: install
	$(PY) bench/page_throughput.py --base $(BASE)

# What a browser downloads for the home page and an entry page, on a throwaway site
# (docs/benchmark.md, "Page weight"). WEIGHT_PORT picks the port; by default a free one.
WEIGHT_PORT ?= 0
weight: install
	$(PY) bench/page_weight.py --serve --port $(WEIGHT_PORT)

# Pictures of the site for the README and docs/, in docs/screenshots/ (needs /usr/bin/chromium).
# SHOTS="error-page palette" takes only those.
screenshots: install
	$(PY) bench/screenshots.py $(SHOTS)
	$(PY) bench/support_screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
