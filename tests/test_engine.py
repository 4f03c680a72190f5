"""The compiled engine: what it reproduces, how it holds memory, and how it is driven."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simulation.runner as runner
from experiments.research.sweep.engine import (
    TARGET_RUNS_PER_CHUNK,
    default_chunk_rows,
    largest_run_bytes,
)
from experiments.support.scenarios import available, load_scenario
from simulation import PhaseZeroModel, run, run_batch
from simulation.network import state_bytes
from simulation.parameters import resolve

GOLDEN = Path(__file__).parent / "data" / "numpy_engine_golden.npz"


#: The behaviour values the golden runs were made with (the registry defaults of that time).
GOLDEN_BEHAVIOUR = json.loads(GOLDEN.with_name("numpy_engine_golden_behaviour.json").read_text())


@pytest.fixture(scope="module")
def golden():
    return np.load(GOLDEN)


def golden_params(name: str) -> dict:
    """A scenario's parameters with the behaviour values the golden runs were made with: the
    golden keeps the engine's arithmetic from drifting, whatever the defaults are now."""
    return {**load_scenario(name).params, **GOLDEN_BEHAVIOUR["defaults"],
            **GOLDEN_BEHAVIOUR["scenarios"][name]}


def _summary_rows(results, keys):
    return np.array([[np.nan if r.summary[k] is None else float(r.summary[k]) for k in keys]
                     for r in results])


@pytest.mark.parametrize("name", available())
def test_engine_reproduces_the_retired_numpy_step(golden, name):
    # tests/data/numpy_engine_golden.npz holds outcome months and end states of seeds 0 to 19
    # of every built-in scenario (events included), written by the vectorised NumPy step the
    # compiled engine replaced (commit 77f056a). The port matched it bit for bit on 14,000
    # runs; this keeps the match from drifting.
    keys = [str(k) for k in golden[name + "__keys"]]
    results = run_batch(golden_params(name), list(range(20)))
    got = _summary_rows(results, keys)
    want = golden[name]
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    assert same.all(), [keys[j] for j in np.nonzero(~same.all(axis=0))[0]]


@pytest.mark.parametrize("name", ["tpn_baseline", "interv_harmful_incident",
                                  "short_kpi_contracts"])
def test_engine_timeseries_match_the_retired_numpy_step(golden, name):
    ts = run(golden_params(name), seed=0).timeseries
    cols = [str(c) for c in golden[name + "__tscols"]]
    assert np.array_equal(ts[cols].to_numpy(), golden[name + "__ts0"])


def test_run_batch_passes_hold_their_memory_and_change_nothing(monkeypatch):
    sizes = []
    real = runner.Network

    class Spy(real):
        def __init__(self, params, seeds, record="full", **kw):
            sizes.append(len(seeds))
            super().__init__(params, seeds, record, **kw)

    monkeypatch.setattr(runner, "Network", Spy)
    p = resolve({"horizon_months": 24})
    seeds = list(range(10))
    whole = run_batch(p, seeds)
    assert sizes == [10]
    per_run = state_bytes(p)
    sizes.clear()
    pieces = run_batch(p, seeds, memory=3 * per_run)
    assert sizes == [3, 3, 3, 1]
    assert [r.summary for r in pieces] == [r.summary for r in whole]
    sizes.clear()
    run_batch(p, seeds[:2], memory=1)       # less than one run: still one run at a time
    assert sizes == [1, 1]


def test_state_bytes_grow_with_the_structure():
    small = state_bytes(resolve({}))
    users = state_bytes(resolve({"n_service_users": 100_000}))
    assert users > 100 * small / 2 and users > 8 * 100_000
    assert state_bytes(resolve({"horizon_months": 600})) > small


def test_sweep_chunks_are_sized_by_the_model_state():
    base = dict(resolve({}))
    design = pd.DataFrame({"trust_gain": [0.02, 0.03], "n_service_users": [300.0, 100_000.0]})
    big = largest_run_bytes(design, base)
    assert big == state_bytes(resolve({"n_service_users": 100_000}))
    # a default-sized model fills a chunk; a large one makes it smaller under the same cap
    assert default_chunk_rows(4, state_bytes(resolve({})), 2**30) == TARGET_RUNS_PER_CHUNK // 4
    rows = default_chunk_rows(4, big, 64 * 2**20)
    assert rows * 4 * big <= 64 * 2**20 or rows == 1
    assert rows < TARGET_RUNS_PER_CHUNK // 4
    assert default_chunk_rows(4, big, 1) == 1


def test_the_mesa_agents_are_made_when_first_asked_for():
    m = PhaseZeroModel(rng=2, collect=False)
    assert not m._agents_made
    for _ in range(3):
        m.step()
    assert not m._agents_made           # stepping alone never builds them
    n = m.network
    assert len(m.agents) == n.C + 1 + n.S + n.U
    cbo = next(iter(m.agents_by_type[type(next(iter(m.agents)))]))
    assert cbo.trust_in_statutory == n.trust_statutory[0, cbo.index]


def test_run_to_horizon_equals_stepping_month_by_month():
    stepped = PhaseZeroModel(rng=4, record="full", collect=False)
    while stepped.running:
        stepped.step()
    at_once = PhaseZeroModel(rng=4, record="full", collect=False)
    at_once.run_to_horizon()
    assert not at_once.running
    for k, v in stepped.network.history.items():
        assert np.array_equal(v, at_once.network.history[k]), k
    assert stepped.outcome_months() == at_once.outcome_months()
