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

## Every test: unit tests, nbval over the instructor notebooks, the nbgrader round trip.
test: $(STAMP)
	coursekit check course
	python -m pytest

## The fast, kernel-free tests only.
quick: $(STAMP)
	python -m pytest -m "not kernel and not nbgrader"

lint: $(STAMP)
	ruff check src tests benchmarks
	mypy

## Remove nbgrader's generated folders and gradebook (the source is untouched).
clean-course:
	rm -rf course/release course/submitted course/autograded course/feedback course/exchange \
	       course/preview course/gradebook.db
