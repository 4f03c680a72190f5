# phase0: two commands for a new user, `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test test-newest newest-suite browser lint bench docs sensitivity robustness \
	ablations calibrate calibration-checks policy \
	dashboard teaching clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installing also compiles the model engine once (numba caches it beside the sources), so the
# first run afterwards does not stop to compile.
WARM := $(BIN)/python -c "from simulation.network import warm_engine; warm_engine()"
# The tests run extended models too, so they also load (or compile) the month-by-month entry
# points first, announced, rather than in the middle of a test.
WARM_TESTS := from simulation.network import warm_engine; warm_engine(stepwise=True)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[viz]"
	$(WARM)
	touch $@

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,distributed,viz,discovery,calibration]"
	touch $@

CALIBRATION_STAMP := $(VENV)/.installed-calibration
$(CALIBRATION_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[calibration]"
	touch $@

DISCOVERY_STAMP := $(VENV)/.installed-discovery
$(DISCOVERY_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[viz,discovery]"
	touch $@

INTERVENTIONS := tpn_baseline,interv_core_funding_lost,interv_broker_leaves,interv_funding_gap,interv_venues_move,interv_champion_leaves,interv_harmful_incident

## run: install, compare the standard scenarios over the calibration's plausible worlds (8 runs
## in each world of experiments/calibration/ensemble.csv, 30 years) into results/compare, and
## write one default run
run: $(STAMP)
	$(BIN)/phase0 compare --parameter-sets posterior --replicates 8 --out results/compare --overwrite
	$(BIN)/phase0 run --seed 0 --out results/default_run --overwrite

# The versions a test run uses, printed first so that its log records them.
VERSIONS := import platform, importlib.metadata as m; print('versions: python ' + \
	platform.python_version() + ''.join(f', {n} ' + m.version(n) for n in \
	('mesa', 'numpy', 'numba', 'pandas', 'ema-workbench', 'solara')))

## test: install what the tests need (Chromium too, where it can), lint, and run the test suite
test: $(TEST_STAMP) browser
	@$(BIN)/python -c "$(VERSIONS)"
	$(BIN)/ruff check simulation experiments tests
	@$(BIN)/python -c "$(WARM_TESTS)"
	$(BIN)/python -m pytest -q

## browser: Debian's Chromium for the two browser tests, installed with apt when it is missing
## and this is root (or has password-less sudo); otherwise says so and goes on (the browser
## tests then skip, and fail under CI=true)
browser:
	@if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then \
	    exit 0; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
	    echo "make: Chromium is missing and there is no apt-get to install it: install Chromium" \
	        "to run the browser tests (they skip now, and fail under CI=true)"; \
	elif [ "$$(id -u)" != 0 ] && ! sudo -n true >/dev/null 2>&1; then \
	    echo "make: Chromium is missing and installing it needs root: run" \
	        "'sudo apt-get install chromium' to run the browser tests (they skip now, and fail" \
	        "under CI=true)"; \
	else \
	    SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo -n"; \
	    echo "make: Chromium is missing: installing Debian's package (apt-get install chromium)" \
	        "for the browser tests"; \
	    if $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive \
	            apt-get install -y -qq chromium >/dev/null; then \
	        echo "make: installed $$(chromium --version 2>/dev/null || echo Chromium)"; \
	    else \
	        echo "make: could not install Chromium (see apt-get's message above): the browser" \
	            "tests skip now, and fail under CI=true"; \
	    fi; \
	fi

## test-newest: the same lint and tests on Python 3.12 with the newest versions the pins in
## pyproject.toml allow, in a second virtual environment, .venv-newest (upgraded on every run).
## Without a working python3.12 it says so and exits 0, except under CI=true.
PYTHON_NEWEST ?= python3.12
NEWEST := .venv-newest
NBIN := $(NEWEST)/bin
NEWEST_VERSION = $(subst .,\.,$(PYTHON_NEWEST:python%=%))
# pyenv puts a python3.12 shim on PATH that refuses to run unless 3.12 is a selected version;
# then the newest installed 3.12 is run through PYENV_VERSION (the venv then needs no pyenv).
define find_newest
py="$(PYTHON_NEWEST)"; \
if ! $$py -c "" >/dev/null 2>&1; then \
    py=""; \
    v=$$(pyenv versions --bare 2>/dev/null | grep -xE '$(NEWEST_VERSION)(\.[0-9]+)?' \
        | sort -V | tail -n 1); \
    if [ -n "$$v" ] && PYENV_VERSION=$$v $(PYTHON_NEWEST) -c "" >/dev/null 2>&1; then \
        py="env PYENV_VERSION=$$v $(PYTHON_NEWEST)"; \
    fi; \
fi
endef

test-newest: browser
	@if [ ! -x $(NBIN)/python ]; then \
	    $(find_newest); \
	    if [ -z "$$py" ]; then \
	        if [ "$$CI" = true ]; then \
	            echo "make test-newest: error: no working $(PYTHON_NEWEST) on PATH (CI=true)" >&2; \
	            exit 2; \
	        fi; \
	        echo "make test-newest: no working $(PYTHON_NEWEST) on PATH: skipped (install Python" \
	            "3.12 to test with the newest versions)"; \
	        exit 0; \
	    fi; \
	    echo "$$py -m venv $(NEWEST)"; \
	    $$py -m venv $(NEWEST) || exit 1; \
	fi; \
	$(MAKE) --no-print-directory newest-suite

# Eager upgrades: a dependency already in .venv-newest is raised to its newest allowed release too.
newest-suite:
	$(NBIN)/python -m pip install --quiet --upgrade pip
	$(NBIN)/python -m pip install --quiet -U --upgrade-strategy eager \
	    -e ".[test,distributed,viz,discovery,calibration]"
	@$(NBIN)/python -c "$(VERSIONS)"
	$(NBIN)/ruff check simulation experiments tests
	@$(NBIN)/python -c "$(WARM_TESTS)"
	$(NBIN)/python -m pytest -q

lint: $(TEST_STAMP)
	$(BIN)/ruff check simulation experiments tests

## sensitivity: Morris screening then Sobol over the top parameters, for tpn_baseline and
## new_network, into results/sensitivity/ (about an hour on 2 cores)
sensitivity: $(STAMP)
	$(BIN)/phase0 sensitivity-study --overwrite

## calibrate: Morris screening and ABC-SMC (pyabc) against the paper's patterns, into
## experiments/calibration/ (the ensemble of plausible worlds; under an hour on 2 cores)
calibrate: $(CALIBRATION_STAMP)
	$(BIN)/phase0 calibrate --overwrite
	@echo "make calibrate: now 'make calibration-checks' checks it and recommends the joint point"

## calibration-checks: the outcome definitions' effect on the calibration's targets, the paper's
## other patterns in every world, and the joint point for the registry defaults chosen on fresh
## seeds, into results/calibration_checks/ (about 3 minutes on 2 cores)
calibration-checks: $(STAMP)
	$(BIN)/phase0 check-calibration --overwrite

## ablations: each mechanism switched off in turn, for tpn_baseline, into results/ablations/
ablations: $(STAMP)
	$(BIN)/phase0 ablations --out results/ablations --overwrite

## robustness: the knife-edge index (each float behaviour parameter nudged by +/-10% of its
## sweep range in each standard scenario, 64 seeds, 30-year horizon; the worst rerun with 1,000
## seeds) into results/robustness/
robustness: $(STAMP)
	$(BIN)/phase0 robustness --out results/robustness --overwrite

## policy: the funding explorer, the interventions, scenario discovery and the brief, into
## results/policy/ (about 3 minutes on 2 cores; sweeps are kept in sweeps/ and resumed)
# Scenario discovery runs over the plausible worlds (levers sampled, each run in one world); no
# run there engages within 5 years, so its engagement target is engagement within the 15-year run.
policy: $(DISCOVERY_STAMP)
	$(BIN)/phase0 explore funding --work sweeps/explore_funding --overwrite
	$(BIN)/phase0 compare --scenarios $(INTERVENTIONS) --out results/policy/interventions --overwrite
	$(BIN)/phase0 sweep --method lhs --n 16384 --replicates 1 --scenario new_network --seed 8 --parameter-sets posterior --out sweeps/discovery_worlds --resume
	$(BIN)/phase0 discover sweeps/discovery_worlds --target "engagement_months <= 180" --out results/policy/discovery --overwrite
	$(BIN)/phase0 discover sweeps/discovery_worlds --target "phase_zero_months <= 48" --out results/policy/discovery_phase_zero --overwrite
	$(BIN)/phase0 brief --out results/policy/brief --overwrite

## dashboard: serve the teaching dashboard on http://127.0.0.1:8765
dashboard: $(STAMP)
	$(BIN)/phase0 dashboard

## teaching: redraw the lesson plan's figures and its numbers over the plausible worlds in
## docs/teaching/ (about 4 minutes on 2 cores)
teaching: $(STAMP)
	$(BIN)/phase0 lessons --overwrite

## bench: print the speed figures
bench: $(STAMP)
	$(BIN)/phase0 bench

## docs: regenerate the parameter table of docs/ODD.md (section 10) from the registry
docs: $(STAMP)
	$(BIN)/phase0 docs

clean:
	rm -rf $(VENV) $(NEWEST) .pytest_cache .ruff_cache .hypothesis
