"""Docking: the vectorised model against a plain per-agent implementation of the same rules.

tests/reference/model.py was written from docs/ODD.md, one ``step()`` per agent with Python
loops and its own random numbers. Over 200 seeds, for the studied network and two contrasting
scenarios, the two implementations must give the same distributions of both outcomes: a
two-sample Kolmogorov-Smirnov test (censored runs counted beyond the horizon) must not reject at
the 1% level, and the restricted mean times to the horizon must agree within 3 months or three
standard errors of their difference, whichever is larger (the standard error matters where runs
vary a lot: in volunteer_only phase zero has a standard deviation of about 16 months).
"""

import numpy as np
import pytest
from scipy import stats

from experiments.parallel import process_pool
from experiments.scenarios import load_scenario
from experiments.survival import kaplan_meier
from simulation import run_batch
from tests.reference.model import run_reference

SEEDS = list(range(200))
#: Restricted-mean agreement required (months, out of a 180-month horizon), at the least.
RMST_TOLERANCE = 3.0
SCENARIOS = ("tpn_baseline", "new_network", "volunteer_only")


def _reference(params: dict, seeds: list[int]) -> list[dict]:
    return [run_reference(params, s) for s in seeds]


def _times(outcomes: list, key: str, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    months = np.array([o[key] if o[key] is not None else horizon + 1 for o in outcomes], float)
    return months, months > horizon


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_vectorised_model_docks_with_the_per_agent_reference(scenario):
    params = load_scenario(scenario).overrides
    fast = [{"phase_zero": r.summary["phase_zero_months"],
             "engagement": r.summary["engagement_months"]}
            for r in run_batch(params, SEEDS)]
    halves = [SEEDS[i::2] for i in range(2)]
    with process_pool(2) as pool:
        parts = list(pool.map(_reference, [params, params], halves))
    ref = [None] * len(SEEDS)
    for half, part in zip(halves, parts, strict=True):
        for s, o in zip(half, part, strict=True):
            ref[s] = o
    horizon = 180
    for key in ("phase_zero", "engagement"):
        f_months, f_cens = _times(fast, key, horizon)
        r_months, r_cens = _times(ref, key, horizon)
        ks = stats.ks_2samp(f_months, r_months)
        f_rmst = kaplan_meier(np.minimum(f_months, horizon), f_cens, horizon).rmst
        r_rmst = kaplan_meier(np.minimum(r_months, horizon), r_cens, horizon).rmst
        assert ks.pvalue > 0.01, (scenario, key, ks, f_rmst, r_rmst)
        f_t, r_t = np.minimum(f_months, horizon), np.minimum(r_months, horizon)
        se = np.sqrt(f_t.var(ddof=1) / len(f_t) + r_t.var(ddof=1) / len(r_t))
        tolerance = max(RMST_TOLERANCE, 3 * se)
        assert abs(f_rmst - r_rmst) <= tolerance, (scenario, key, f_rmst, r_rmst, tolerance)
