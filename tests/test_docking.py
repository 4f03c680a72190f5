"""Docking: the compiled engine against a plain per-agent implementation of the same rules.

tests/reference/model.py was written from docs/ODD.md and the parameter registry only, one
``step()`` per agent with Python loops and its own random numbers. Over 200 seeds, for the
studied network, contrasting policies (a cold start, unpaid contributions, statutory venues where
phase zero is slow) and timed interventions (the broker leaves, a harmful incident, a funding
gap), the two implementations must give the same distributions of both outcomes: a two-sample
Kolmogorov-Smirnov test (censored runs counted beyond the horizon) must not reject at the 1%
level, and the restricted mean times to the horizon must agree within 3 months or three standard
errors of their difference, whichever is larger (the standard error matters where runs vary a
lot, as where phase zero is slow).

Both implementations run with the registry defaults in force at run time, so a re-tuned default
is docked as it stands.
"""

import numpy as np
import pytest
from scipy import stats

from experiments.research.survival import kaplan_meier
from experiments.support.parallel import process_pool
from experiments.support.scenarios import load_scenario
from simulation import run_batch
from simulation.parameters import resolve
from tests.reference.model import run_reference

SEEDS = list(range(200))
#: Restricted-mean agreement required (months), at the least.
RMST_TOLERANCE = 3.0
SCENARIOS = (
    "tpn_baseline",
    "new_network",
    "volunteer_only",
    "statutory_venues",  # phase zero is slow and often censored
    "interv_broker_leaves",  # timed: the broker leaves at month 24
    "interv_harmful_incident",  # timed: a harmful incident at month 60
    "interv_funding_gap",  # timed: all funding cut at month 24, restored at month 36
)


def _reference(params: dict, seeds: list[int]) -> list[dict]:
    return [run_reference(params, s) for s in seeds]


def _times(outcomes: list, key: str, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    months = np.array([o[key] if o[key] is not None else horizon + 1 for o in outcomes], float)
    return months, months > horizon


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_vectorised_model_docks_with_the_per_agent_reference(scenario):
    params = load_scenario(scenario).overrides
    horizon = resolve(params)["horizon_months"]
    halves = [SEEDS[i::2] for i in range(2)]
    with process_pool(2) as pool:
        futures = [pool.submit(_reference, params, half) for half in halves]
        fast = [{"phase_zero": r.summary["phase_zero_months"],
                 "engagement": r.summary["engagement_months"]}
                for r in run_batch(params, SEEDS)]
        parts = [f.result() for f in futures]
    ref = [None] * len(SEEDS)
    for half, part in zip(halves, parts, strict=True):
        for s, o in zip(half, part, strict=True):
            ref[s] = o
    for key in ("phase_zero", "engagement"):
        f_months, f_cens = _times(fast, key, horizon)
        r_months, r_cens = _times(ref, key, horizon)
        ks = stats.ks_2samp(f_months, r_months)
        f_rmst = kaplan_meier(np.minimum(f_months, horizon), f_cens, horizon).rmst
        r_rmst = kaplan_meier(np.minimum(r_months, horizon), r_cens, horizon).rmst
        f_t, r_t = np.minimum(f_months, horizon), np.minimum(r_months, horizon)
        se = np.sqrt(f_t.var(ddof=1) / len(f_t) + r_t.var(ddof=1) / len(r_t))
        tolerance = max(RMST_TOLERANCE, 3 * se)
        # shown with `pytest -s`: the numbers behind the verdict
        print(f"\n{scenario:24s} {key:10s} KS p={ks.pvalue:.3f} RMST fast={f_rmst:.1f} "
              f"reference={r_rmst:.1f} (tolerance {tolerance:.1f}); censored "
              f"{int(f_cens.sum())}/{int(r_cens.sum())}")
        assert ks.pvalue > 0.01, (scenario, key, ks, f_rmst, r_rmst)
        assert abs(f_rmst - r_rmst) <= tolerance, (scenario, key, f_rmst, r_rmst, tolerance)
