# Two commands matter: `make run` (the app on the embedded sandbox) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run serve test lint bench sandbox clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	FLASK_RUN_HOST=$(HOST) FLASK_RUN_PORT=$(PORT) $(PY) -m flask --app app run

# The production server: gunicorn with the settings in gunicorn.conf.py (BIND, WEB_WORKERS,
# WEB_THREADS, REDIS_URL, ...).
serve: $(VENV)/.installed
	$(VENV)/bin/gunicorn --config gunicorn.conf.py

sandbox: $(VENV)/.installed
	$(PY) -m sandbox --port 5001

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/codespell

# Branch coverage of the app's code is reported after the tests (pyproject.toml [tool.coverage]).
test: lint
	$(PY) -m pytest -W error --cov

bench: $(VENV)/.installed
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
