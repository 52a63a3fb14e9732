# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app wsgi
PORT   ?= 8000
WORKERS ?= 2
STAMP  := $(VENV)/.installed

.PHONY: install run test lint bench translations clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) translations

# Compiled catalogs are build products; the .po files are the source.
translations: $(STAMP)
	$(VENV)/bin/pybabel compile -d app/translations --statistics

run: install
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) demo-data --if-empty
	$(VENV)/bin/gunicorn --workers $(WORKERS) --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

# Everything on SQLite, with the browser tests when /usr/bin/chromium exists and the fault tests
# (they start a PostgreSQL server of their own); then, when TEST_DATABASE_URL is set (CI), the
# database tests again on it (browser and fault tests bring their own database, so they run once).
test: install
	env -u TEST_DATABASE_URL $(VENV)/bin/pytest $(PYTEST_ARGS)
	if [ -n "$$TEST_DATABASE_URL" ]; then $(VENV)/bin/pytest tests --ignore=tests/voting --ignore=tests/reliability --ignore=tests/e2e $(PYTEST_ARGS); fi

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Speed targets live here, not in the test suite: each script prints ratios against a baseline
# measured in the same run (see benchmarks/README.md).
bench: install
	$(PY) benchmarks/allocation.py
	$(PY) benchmarks/pages.py
	$(PY) benchmarks/ballots.py
	$(PY) benchmarks/load.py

clean:
	rm -rf $(VENV) instance/*.sqlite3 .pytest_cache
