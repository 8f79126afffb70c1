# tablegen — run `make help` for the list of targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help setup docs guide check test test-fast lint bench golden wheel clean

help: ## Show this list
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "tablegen needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	@# The distribution was called `tablegen` before: its editable install would shadow this one.
	$(BIN)/pip uninstall -q -y tablegen 2>/dev/null || true
	rm -rf src/tablegen.egg-info
	$(BIN)/pip install -q -e '.[test,docs]'
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv and install tablegen with its dependencies

docs: $(STAMP) ## Validate every book in targets/ and build DOCX/HTML/PDF/XLSX into build/
	$(BIN)/tablegen schema -q
	$(BIN)/tablegen build targets

guide: $(STAMP) ## Build the user guide (docs/, in Chinese) into site/; any warning fails
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

check: $(STAMP) ## Validate every book in targets/ (what guards the data: the tests never read it)
	$(BIN)/tablegen check targets

# The suite runs on up to four cores; each test module stays on one (its fixtures are built once).
XDIST := -n auto --maxprocesses=4 --dist loadscope

test: $(STAMP) ## Run the whole test suite
	$(BIN)/pytest -q $(XDIST)

test-fast: $(STAMP) ## The suite without its slow tests (killed processes, wheels, LibreOffice, browser): the edit loop
	$(BIN)/pytest -q $(XDIST) -m "not slow"

lint: $(STAMP) ## ruff, mypy --strict and the import contracts
	$(BIN)/ruff check src tests bench docs
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP) ## Run the benchmarks in bench/ (slow; prints figures and ratios)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

golden: $(STAMP) ## Record the seed outputs' SHA-256 (tests/golden/) after an intended change
	TABLEGEN_GOLDEN=update $(BIN)/pytest -q -p no:cacheprovider tests/test_golden.py

wheel: $(STAMP) ## Build dist/tablegen_jixiao-<version>-py3-none-any.whl (setuptools works in .setuptools-build/)
	$(BIN)/pip wheel -q --no-deps -w dist .

clean: ## Remove build/ with its build cache build/.tablegen-cache/, and the guide's site/ (the venv stays)
	rm -rf build site
