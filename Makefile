# PowerDesk: `make run` serves the demo, `make test` runs the whole suite. Both install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The offline installer (docs/deploy.md): with a ./wheelhouse of wheels (`make wheelhouse`), every
# install takes its packages from there and never asks the index.
WHEELHOUSE := wheelhouse
OFFLINE := $(if $(wildcard $(WHEELHOUSE)/*.whl),--no-index --find-links $(WHEELHOUSE),)

.PHONY: run test install lint e2e-deps os-deps stop clean-db bench-intake bench-lists bench-sweep bench-storm messages wheelhouse wheelhouse-check

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet $(OFFLINE) --upgrade pip
	$(BIN)/pip install --quiet $(OFFLINE) -r requirements.lock
	$(BIN)/pip install --quiet $(OFFLINE) --no-deps -e .
	@touch $(STAMP)

# Every wheel requirements.lock needs (the embedded PostgreSQL's included), pip, setuptools and wheel,
# into ./wheelhouse: run where the index is reachable, carry the folder to the intranet machine.
wheelhouse:
	$(PYTHON) scripts/wheelhouse.py build --dest $(WHEELHOUSE)

# Installs ./wheelhouse into a new virtual environment with the index and pip's configuration disabled.
wheelhouse-check:
	$(PYTHON) scripts/wheelhouse.py check --dest $(WHEELHOUSE)

install: $(STAMP)

run: install os-deps
	$(BIN)/powerdesk run

# The report PDF's Chinese font and Pango, from Debian's packages when missing (docs/deploy.md).
os-deps:
	@sh scripts/ensure-fonts.sh

# Browser tests need Debian's Chromium and a CJK font; installed here when missing.
e2e-deps:
	@sh scripts/ensure-browser.sh

# Three test processes (pytest-xdist) on the two cores of the smallest machine we run on: many tests wait
# (on PostgreSQL, a browser, a server they started, a drill's restart), and a third process keeps both
# cores busy through those waits. PYTEST_ARGS="-n 0" runs the suite in one process. The twenty slowest
# tests are listed at the end: where the suite's time goes, in every CI log.
PYTEST_ARGS ?= -n 3 --durations=20

test: install e2e-deps
	$(BIN)/pytest $(PYTEST_ARGS)

# ruff, mypy, migrations in step with the models, and the import contracts of docs/architecture.md.
lint: install
	$(BIN)/ruff check powerdesk tests bench
	$(BIN)/ruff format --check powerdesk tests bench
	$(BIN)/mypy powerdesk
	$(BIN)/powerdesk makemigrations --check --dry-run
	$(BIN)/lint-imports

stop: install
	$(BIN)/python -c "from powerdesk import dbserver, launcher; dbserver.stop(launcher.var_dir())"

bench-intake: install
	$(BIN)/python bench/intake.py

bench-lists: install
	$(BIN)/python bench/lists.py

# The English catalogue (powerdesk/locale/en): collect the Chinese msgids of the package (run inside it, so
# .venv, var, tests and bench stay out), then compile. Needs GNU gettext; the .mo is committed, so running
# PowerDesk does not. Translate new entries in django.po (no fuzzy, no empty msgstr) before committing.
messages: install
	cd powerdesk && DJANGO_SETTINGS_MODULE=powerdesk.settings ../$(BIN)/django-admin makemessages -l en --no-location --no-obsolete --ignore=migrations
	cd powerdesk && DJANGO_SETTINGS_MODULE=powerdesk.settings ../$(BIN)/django-admin compilemessages

bench-sweep: install
	$(BIN)/python bench/sweep.py

# Storm day (issue #14): 1,000,000 customers, 20,000 transformers, 214,000 calls; hours at full scale.
# A small run: .venv/bin/python bench/storm.py --scale 0.05 --peak-minutes 5
bench-storm: install
	$(BIN)/python bench/storm.py
