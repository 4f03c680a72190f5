# phase0: two commands for a new user, `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint bench docs sensitivity policy dashboard teaching clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[viz]"
	touch $@

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,distributed,viz,discovery]"
	touch $@

DISCOVERY_STAMP := $(VENV)/.installed-discovery
$(DISCOVERY_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[viz,discovery]"
	touch $@

INTERVENTIONS := tpn_baseline,interv_core_funding_lost,interv_broker_leaves,interv_funding_gap,interv_venues_move,interv_champion_leaves,interv_harmful_incident

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

## policy: the funding explorer, the interventions, scenario discovery and the brief, into
## results/policy/ (about 3 minutes on 2 cores; sweeps are kept in sweeps/ and resumed)
policy: $(DISCOVERY_STAMP)
	$(BIN)/phase0 explore funding --overwrite
	$(BIN)/phase0 compare --scenarios $(INTERVENTIONS) --replicates 200 --out results/policy/interventions --overwrite
	$(BIN)/phase0 sweep --method lhs --n 16384 --replicates 1 --scenario new_network --seed 8 --out sweeps/discovery --resume
	$(BIN)/phase0 discover sweeps/discovery --target "engagement_months <= 60" --out results/policy/discovery
	$(BIN)/phase0 discover sweeps/discovery --target "phase_zero_months <= 48" --out results/policy/discovery_phase_zero
	$(BIN)/phase0 brief --out results/policy/brief

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
