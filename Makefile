# phase0: two commands for a new user, `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint bench docs sensitivity dashboard teaching clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[viz]"
	touch $@

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,distributed,viz]"
	touch $@

## run: install, compare the standard scenarios into results/compare, and write one default run
run: $(STAMP)
	$(BIN)/phase0 compare --out results/compare --overwrite
	$(BIN)/phase0 run --seed 0 --out results/default_run --overwrite

## test: install what the tests need, lint, and run the test suite
test: $(TEST_STAMP)
	$(BIN)/ruff check simulation experiments tests
	$(BIN)/python -m pytest -q

lint: $(TEST_STAMP)
	$(BIN)/ruff check simulation experiments tests

## sensitivity: Morris screening then Sobol over the top parameters, for tpn_baseline and
## new_network, into results/sensitivity/ (about a quarter of an hour on 2 cores)
sensitivity: $(STAMP)
	$(BIN)/python -m experiments.sensitivity_study

## dashboard: serve the teaching dashboard on http://127.0.0.1:8765
dashboard: $(STAMP)
	$(BIN)/phase0 dashboard

## teaching: redraw the lesson plan's figures in docs/teaching/
teaching: $(STAMP)
	$(BIN)/python -m experiments.teaching

## bench: print the speed figures
bench: $(STAMP)
	$(BIN)/python -m experiments.bench

## docs: regenerate the parameter tables in README.md and docs/ODD.md from the registry
docs: $(STAMP)
	$(BIN)/python -m experiments.docs

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
