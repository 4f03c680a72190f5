"""Approximate Bayesian computation (rejection) of four behaviour parameters.

The paper pins down none of these parameters, but it does report patterns the studied network
(``tpn_baseline``) showed:

1. phase zero lasted about four years: 'for 4 years before the first official coproduction
   activity began in 2012' (Discussion), so the median month of the commissioning decision
   should lie near 48;
2. at the fieldwork (October 2015 to January 2016: months 93 to 96 from January 2008) service
   users were 'a relatively limited presence' (Discussion), yet present (a steering committee
   member, a BAME forum 'which included service users'): some engaged in most runs, a small
   share on average;
3. service users came last: 'service user engagement cannot begin immediately' (Discussion), so
   engagement starts after phase zero ends.

Each prior draw is run ``replicates`` times with common seeds; a draw is accepted when all the
patterns hold within the tolerances of :data:`RULE`. The accepted draws approximate the
posterior; their medians become the registry defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.research.compare import common_seeds
from experiments.support.outputs import write_results
from experiments.support.parallel import map_in_order
from experiments.support.scenarios import load_scenario
from simulation import run_batch

#: Uniform priors (low, high): wide, plausible ranges within each parameter's valid range.
PRIORS: dict[str, tuple[float, float]] = {
    "trust_gain": (0.01, 0.08),
    "endorsement_rate": (0.02, 0.2),
    "su_learning": (0.01, 0.1),
    "su_threshold_mean": (0.25, 0.6),
}

#: Acceptance rule (all must hold).
RULE = {
    "phase_zero_median_target": 48.0,
    "phase_zero_median_tolerance": 12.0,    # median within 36-60 months (inside the 36-72 range)
    "engaged_share_fieldwork_low": 0.01,    # at the fieldwork service users are present ...
    "engaged_share_fieldwork_high": 0.2,    # ... but a limited presence: a fifth at most
    "present_at_fieldwork_share": 0.8,      # some engaged in at least 80% of runs
    "engagement_after_phase_zero_share": 0.9,  # in at least 90% of runs
}

#: The fieldwork, October 2015 to January 2016 (Methodology), in months from January 2008.
FIELDWORK_MONTHS = (93, 96)
OUT = Path(__file__).resolve().parents[1] / "calibration"
_CHUNK = 4


def sample_prior(n: int, seed: int) -> pd.DataFrame:
    """``n`` independent draws from the priors."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({k: rng.uniform(lo, hi, n) for k, (lo, hi) in PRIORS.items()})


def pattern_statistics(results: list) -> dict[str, float]:
    """The pattern statistics of one parameter set's replicates."""
    from experiments.research.survival import kaplan_meier

    horizon = results[0].summary["horizon_months"]
    pz = np.array([r.summary["phase_zero_months"] or horizon for r in results], float)
    pz_cens = np.array([r.summary["phase_zero_censored"] for r in results])
    en = np.array([r.summary["engagement_months"] or horizon + 1 for r in results], float)
    median = kaplan_meier(pz, pz_cens, horizon).median
    first, last = FIELDWORK_MONTHS
    shares = np.array([r.timeseries["engaged_share"].iloc[first:last + 1].mean()
                       for r in results])
    after = float(np.mean(~pz_cens & (en > pz)))
    return {"phase_zero_median": np.nan if median is None else median,
            "engaged_share_fieldwork": float(shares.mean()),
            "present_at_fieldwork": float(np.mean(shares > 0)),
            "engagement_after_share": after}


def accepted(stats: pd.DataFrame) -> pd.Series:
    """Which draws satisfy the acceptance rule."""
    r = RULE
    return ((stats["phase_zero_median"] - r["phase_zero_median_target"]).abs()
            .le(r["phase_zero_median_tolerance"])
            & stats["engaged_share_fieldwork"].between(r["engaged_share_fieldwork_low"],
                                                       r["engaged_share_fieldwork_high"])
            & stats["present_at_fieldwork"].ge(r["present_at_fieldwork_share"])
            & stats["engagement_after_share"].ge(r["engagement_after_phase_zero_share"]))


def _evaluate(base: dict[str, Any], draws: list[dict[str, float]], seeds: list[int]
              ) -> list[dict[str, float]]:
    params = [{**base, **d} for d in draws for _ in seeds]
    results = run_batch(params, [s for _ in draws for s in seeds], timeseries=True)
    k = len(seeds)
    return [pattern_statistics(results[i * k:(i + 1) * k]) for i in range(len(draws))]


def calibrate(draws: int, replicates: int, workers: int, seed: int,
              progress: bool = True) -> pd.DataFrame:
    """Run every prior draw and return it with its statistics and acceptance."""
    base = load_scenario("tpn_baseline").overrides
    prior = sample_prior(draws, seed)
    seeds = common_seeds(seed, replicates)
    rows = prior.to_dict("records")
    chunks = [rows[i:i + _CHUNK] for i in range(0, len(rows), _CHUNK)]
    out = map_in_order(_evaluate, [(base, c, seeds) for c in chunks], [len(c) for c in chunks],
                       workers, progress, unit="draw", desc="ABC")
    stats = pd.DataFrame([s for chunk in out for s in chunk])
    table = pd.concat([prior, stats], axis=1)
    table["accepted"] = accepted(table)
    table["distance"] = (table["phase_zero_median"] - RULE["phase_zero_median_target"]).abs() \
        / RULE["phase_zero_median_tolerance"]
    return table


def plot_posterior(table: pd.DataFrame, path: Path) -> None:
    """Prior versus accepted draws: marginals on the diagonal, pairs below it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(PRIORS)
    acc = table[table["accepted"]]
    n = len(names)
    fig, axes = plt.subplots(n, n, figsize=(10, 10), constrained_layout=True)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            ax = axes[i, j]
            if i == j:
                bins = np.linspace(*PRIORS[a], 21)
                ax.hist(table[a], bins=bins, color="0.8", label="prior draws")
                ax.hist(acc[a], bins=bins, color="#762a83", label="accepted")
            elif i > j:
                ax.scatter(table[b], table[a], s=2, color="0.8")
                ax.scatter(acc[b], acc[a], s=4, color="#762a83")
            else:
                ax.axis("off")
                continue
            if i == n - 1:
                ax.set_xlabel(b)
            if j == 0 and i != j:
                ax.set_ylabel(a)
    axes[0, 0].legend(fontsize=7)
    fig.suptitle(f"ABC rejection: {len(acc)} of {len(table)} prior draws accepted")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_calibration(table: pd.DataFrame, out: Path, settings: dict[str, Any],
                      overwrite: bool = True) -> pd.DataFrame:
    """Write accepted.csv, all draws, the posterior figure and a summary; return the summary."""
    acc = table[table["accepted"]].reset_index(drop=True)
    summary = pd.DataFrame({
        "parameter": list(PRIORS),
        "prior_low": [PRIORS[k][0] for k in PRIORS],
        "prior_high": [PRIORS[k][1] for k in PRIORS],
        "posterior_median": [acc[k].median() for k in PRIORS],
        "posterior_q05": [acc[k].quantile(0.05) for k in PRIORS],
        "posterior_q95": [acc[k].quantile(0.95) for k in PRIORS],
        # posterior sd over the sd of the uniform prior: near 1 means not identified
        "sd_ratio": [acc[k].std() / ((PRIORS[k][1] - PRIORS[k][0]) / np.sqrt(12))
                     for k in PRIORS],
    })
    write_results(out, {
        "accepted.csv": acc, "draws.csv": table, "posterior_summary.csv": summary,
        "posterior_correlation.csv": acc[list(PRIORS)].corr().round(3).to_csv,
        "posterior.png": lambda path: plot_posterior(table, path),
    }, {**settings, "priors": PRIORS, "rule": RULE, "accepted": len(acc), "draws": len(table)},
        overwrite=overwrite)
    return summary
