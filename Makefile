# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test bench templates clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/jifen demo demo

test: $(STAMP) node_modules/.package-lock.json
	$(BIN)/python -m pytest -q
	JIFEN_PYTHON=$(abspath $(BIN)/python) XLWINGS_LICENSE_KEY=noncommercial node --test tests/wps/

# test-only npm packages of the WPS add-in's browser test (playwright-core drives Debian's chromium)
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

bench: $(STAMP)
	$(BIN)/python bench/run.py

templates: $(STAMP)
	$(BIN)/python -m jifen_xl.book.templates workbook_templates

clean:
	rm -rf $(VENV) demo node_modules
