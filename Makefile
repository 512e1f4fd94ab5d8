# Two commands: `make lab` opens the course, `make test` runs every test.
# Both create the virtual environment in .venv on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed
# nbgrader runs `alembic` from PATH, so the environment's scripts come first.
export PATH := $(BIN):$(PATH)

.PHONY: lab test quick lint install clean-course

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable '.[test,dev]'
	touch $(STAMP)

install: $(STAMP)

## Open the course in JupyterLab (student preview of every module, instructor tools).
lab: $(STAMP)
	coursekit lab course

## Every test: unit tests, nbval, the nbgrader round trips, PostgreSQL, Dask, the browser and a
## real JupyterHub. System packages (PostgreSQL, Chromium, Node.js) are installed with apt-get
## when run as root; the hub's proxy with `npm ci` (scripts/system-deps does both).
test: $(STAMP)
	scripts/system-deps
	coursekit check course
	python -m pytest -n 2

## The fast, kernel-free tests only.
quick: $(STAMP)
	python -m pytest -n 2 -m "not kernel and not nbgrader and not browser and not slow and not hub"

lint: $(STAMP)
	ruff check src tests benchmarks
	mypy

## Remove nbgrader's generated folders and gradebook (the source is untouched).
clean-course:
	rm -rf course/release course/submitted course/autograded course/feedback course/exchange \
	       course/preview course/gradebook.db
