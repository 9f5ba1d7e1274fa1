# gongkai — everyday commands. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_WORKERS ?= 2

.PHONY: install run test test-fast bench lint typecheck fmt clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install  # the demo: sandbox mode is asked for explicitly (GONGKAI_SANDBOX, run --sandbox)
	GONGKAI_SANDBOX=1 $(BIN)/gongkai init --demo
	$(BIN)/gongkai run --sandbox --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m tests.setup_system
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

lint: install  # ruff, the layer contracts (import-linter) and the type check (mypy, see typecheck)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python lint/mypy_baseline.py

typecheck: install  # mypy: zero errors in content/ and scheduler/, elsewhere mypy-baseline.txt may only shrink
	$(BIN)/python lint/mypy_baseline.py

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis test-artifacts
