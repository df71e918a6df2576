# Dakshata. Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYBABEL_EXTRACT := $(BIN)/pybabel extract -F babel.cfg --width=100 -k _l -k N_ -k lazy_gettext -k _lms -k _lms_n:1,2 \
	--no-location --sort-output --project=dakshata --copyright-holder="Dakshata contributors"
LOCALES := bn bn_BD
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-postgres lint format translations translations-compile system-deps bench clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

venv: $(STAMP)

system-deps:
	bash scripts/install-system-deps

translations-compile: $(STAMP)
	$(BIN)/pybabel compile --statistics -D lms -d translations
	$(BIN)/pybabel compile --statistics -D messages -d examples/host_app/translations

## make run: install, create the SQLite database, load demo data, serve on http://127.0.0.1:5000
run: $(STAMP) translations-compile
	$(BIN)/flask lms init
	$(BIN)/flask lms demo
	@echo "Open http://$(HOST):$(PORT)/ and sign in with a demo account above."
	$(BIN)/gunicorn -k gevent -w 2 --worker-connections 1000 -b $(HOST):$(PORT) wsgi:app

## make test: install (Python and Debian packages), then run every test, browser tests included
test: $(STAMP) system-deps translations-compile
	$(BIN)/pytest

## make test-postgres: the same suite on a throw-away PostgreSQL server (CI runs both)
test-postgres: $(STAMP) system-deps translations-compile
	bash scripts/with-postgres $(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check lms tests bench examples wsgi.py

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format lms tests bench examples wsgi.py

## make translations: extract messages, update the bn and bn_BD catalogs, compile them
translations: $(STAMP)
	$(PYBABEL_EXTRACT) -o translations/lms.pot .
	for loc in $(LOCALES); do \
	  if [ -f translations/$$loc/LC_MESSAGES/lms.po ]; then \
	    $(BIN)/pybabel update --width=100 --no-fuzzy-matching --ignore-obsolete -D lms -i translations/lms.pot -d translations -l $$loc; \
	  else \
	    $(BIN)/pybabel init --width=100 -D lms -i translations/lms.pot -d translations -l $$loc; \
	  fi; \
	done
	$(MAKE) translations-compile

## make bench: every benchmark in bench/, one table; the officials' pages at scale 1 and 10 on
## SQLite and, when PostgreSQL is installed, on a throw-away server (bench/.cache keeps the data)
bench: $(STAMP) translations-compile
	if ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then \
	  bash scripts/with-postgres $(BIN)/python bench/run.py; \
	else \
	  $(BIN)/python bench/run.py; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info translations/*/LC_MESSAGES/*.mo \
	  examples/host_app/translations/*/LC_MESSAGES/*.mo
