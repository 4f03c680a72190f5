"""Property-based tests: any valid parameters keep the model's quantities in range."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from simulation import run
from simulation.network import METRICS
from simulation.parameters import REGISTRY

_SMALL_STRUCTURE = {
    "n_cbos": st.integers(2, 12),
    "n_executives": st.integers(0, 3),
    "n_senior_managers": st.integers(0, 4),
    "n_frontline": st.integers(1, 6),
    "n_service_users": st.integers(1, 60),
    "broker_staff": st.integers(1, 6),
    "meeting_size": st.integers(1, 6),
    "horizon_months": st.integers(1, 40),
    "share_users_two_cbos": st.floats(0.0, 0.4),
    "share_users_no_cbo": st.floats(0.0, 0.6),
}


def _strategy(p):
    if p.name in _SMALL_STRUCTURE:
        return _SMALL_STRUCTURE[p.name]
    if p.type is bool:
        return st.booleans()
    lo, hi = p.valid
    if p.type is int:
        return st.integers(int(lo), int(min(hi, lo + 60)))
    return st.floats(lo, hi, allow_nan=False)


params_strategy = st.fixed_dictionaries({n: _strategy(p) for n, p in REGISTRY.items()})
_COUNTS = {"meetings_community", "meetings_statutory", "harmful_encounters",
           "activities_running"}


@given(params=params_strategy, seed=st.integers(0, 2**32))
def test_indices_stay_in_unit_interval_and_counts_are_non_negative(params, seed):
    r = run(params, seed=seed)
    ts = r.timeseries
    for col in METRICS:
        values = ts[col].to_numpy()
        assert np.isfinite(values).all(), col
        if col in _COUNTS:
            assert (values >= 0).all(), col
        else:
            assert ((values >= 0) & (values <= 1)).all(), col
    assert (ts["activities_running"] <= params["coproduction_activities"]).all()
    for key in ("phase_zero", "engagement"):
        month = r.summary[f"{key}_months"]
        assert (month is None) == r.summary[f"{key}_censored"]
        assert month is None or 1 <= month <= params["horizon_months"]


@given(params=params_strategy, seed=st.integers(0, 2**32))
def test_same_seed_gives_identical_results(params, seed):
    a, b = run(params, seed=seed), run(params, seed=seed)
    assert a.summary == b.summary and a.timeseries.equals(b.timeseries)
