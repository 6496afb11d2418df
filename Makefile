# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-js bench identity generate templates clean bundle-windows bundle-check

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

test: $(STAMP)
	$(BIN)/python -m pytest -q
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory test-js; \
	else \
	  echo "未找到 node/npm：跳过 WPS 加载项的 JavaScript 测试（.ci/run 会安装 nodejs、npm 和 chromium）。"; \
	fi

# the WPS add-in's tests (node --test), against a real `jifen serve`
test-js: $(STAMP) node_modules/.package-lock.json
	JIFEN_PYTHON=$(abspath $(BIN)/python) XLWINGS_LICENSE_KEY=noncommercial node --test tests/wps/

# test-only npm packages of the WPS add-in's browser test (playwright-core drives Debian's chromium)
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/serve_bench.py
	$(BIN)/python bench/print_bench.py
	@if [ -x "$${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then $(BIN)/python bench/ui_bench.py; \
	else echo "未找到 chromium：跳过 bench/ui_bench.py（积分助手在浏览器中的速度）"; fi

# outputs byte-identical to tests/output_digests.json, the 200,000-row bench workbook included
identity: $(STAMP)
	$(BIN)/python tests/identity.py --check --big

# every file made from the scheme declarations (jifen_xl/generate.py): the VBA button module, the
# WPS ribbon and button/detection table, the workbook templates. Run it after changing a scheme.
generate: $(STAMP)
	$(BIN)/python -m jifen_xl.generate

templates: generate

clean:
	rm -rf $(VENV) demo node_modules

# Offline install folder for 64-bit Windows + CPython 3.11 (needs PyPI while
# building): wheels for win_amd64, the templates, the docs, 安装.bat, and python.org's installer
# that the builder supplies, checked against its known hash (windows/bundle.py KNOWN_INSTALLERS):
#   make bundle-windows PYTHON_INSTALLER=~/Downloads/python-3.11.9-amd64.exe
# Another version: add PYTHON_INSTALLER_SHA256=… (from python.org's .spdx.json for it).
BUNDLE ?= dist/jifen-xl-windows
PYTHON_INSTALLER ?=
PYTHON_INSTALLER_SHA256 ?=
bundle-windows: $(STAMP)
	$(BIN)/python windows/bundle.py --out "$(BUNDLE)" \
	  $(if $(PYTHON_INSTALLER),--python-installer "$(PYTHON_INSTALLER)") \
	  $(if $(PYTHON_INSTALLER_SHA256),--python-installer-sha256 "$(PYTHON_INSTALLER_SHA256)")

# Proves the bundle once (PyPI, a few minutes; not part of `make test`): the folder resolves
# offline for win_amd64/cp311, and a Linux build of it installs and runs `jifen demo`.
bundle-check: $(STAMP)
	JIFEN_BUNDLE_TESTS=1 XLWINGS_LICENSE_KEY=noncommercial $(BIN)/python -m pytest -q tests/test_bundle.py
