# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test bench templates clean

# pip stays quiet (-qq: errors only, no version check, no script-location warnings)
PIP := $(BIN)/python -m pip install -qq --disable-pip-version-check --no-warn-script-location

$(BIN)/python:
	@echo "创建 Python 虚拟环境 $(VENV) ……"
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	@echo "安装 jifen-xl 及其依赖（只需一次，约几分钟）……"
	@$(PIP) -e '.[test,rollup]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@PYTHONWARNINGS=ignore $(BIN)/jifen demo demo

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
