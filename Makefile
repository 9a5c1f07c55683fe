# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The demo needs the package only; the tests also need the dev tools (a bigger download).
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: demo test lint typecheck unit format bench clean venv

venv:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
		{ echo "pgyscout needs Python 3.10 or newer (PYTHON=$(PYTHON))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)

$(STAMP_RUN): pyproject.toml
	@$(MAKE) --no-print-directory venv
	$(BIN)/python -m pip install --quiet -e .
	@touch $(STAMP_RUN)

$(STAMP_DEV): pyproject.toml
	@$(MAKE) --no-print-directory venv
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP_RUN) $(STAMP_DEV)

demo: $(STAMP_RUN)
	$(BIN)/pgy demo

# The store and enrich suites also run on PostgreSQL: a throw-away cluster is started for them.
# The report's browser test needs Chromium: Debian's, installed by scripts/browser-setup.sh.
# Three workers on two cores: most tests wait on a sandbox, a subprocess or the browser.
TEST_WORKERS ?= 3
test: lint typecheck
	@chromium="$$(scripts/browser-setup.sh)" || exit 1; \
	pg_url="$$(scripts/pg-test-server.sh start)" || exit 1; \
	PGYSCOUT_SCREENSHOTS="$${PGYSCOUT_SCREENSHOTS:-build/screenshots}" \
	PGYSCOUT_CHROMIUM="$$chromium" PGYSCOUT_TEST_PG="$$pg_url" $(BIN)/pytest -n $(TEST_WORKERS); status=$$?; \
	scripts/pg-test-server.sh stop; exit $$status

lint: $(STAMP_DEV)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP_DEV)
	$(BIN)/mypy

unit: $(STAMP_DEV)
	$(BIN)/pytest tests/unit

format: $(STAMP_DEV)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
