"""From weighted ABC populations to an ensemble of plausible worlds, and what it shows.

- :func:`pool`: the chains' final populations, each weighted by importance and kept where
  every fitted target was met (distance 0), as one weighted population;
- :func:`confirm`: every pooled particle again on further runs, kept when each required share
  is cleared by a margin (so a world is not in the ensemble on the luck of 16 runs);
- :func:`resample`: systematic resampling by weight into an unweighted ensemble, one row a
  world, for tools that run every world alike;
- :func:`identifiability`: posterior against prior spread, per parameter;
- :func:`correlations`: pairwise posterior correlations;
- :func:`predictive`: the posterior predictive check (fresh runs of every world) of each target
  and of the held-out pattern, beside the same check on draws from the prior.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from experiments.research.calibrate.patterns import HELD_OUT, PAPER, Targets, meets
from experiments.research.calibrate.priors import Prior, evaluate_sets, set_seeds


def pool(populations: Sequence[pd.DataFrame], tolerance: float = 0.0) -> pd.DataFrame:
    """One weighted population from independent chains (each chain counts equally)."""
    parts = []
    for i, pop in enumerate(populations):
        kept = pop[pop["distance"] <= tolerance + 1e-12].copy()
        if kept.empty:
            continue
        kept["weight"] = kept["weight"] / kept["weight"].sum()
        kept.insert(0, "chain", i)
        parts.append(kept)
    if not parts:
        raise ValueError(f"no particle of any chain is within distance {tolerance}")
    out = pd.concat(parts, ignore_index=True)
    out["weight"] = out["weight"] / out["weight"].sum()
    return out


def wilson_low(share: np.ndarray, runs: int, z: float) -> np.ndarray:
    """The lower end of the Wilson score interval, ``z`` standard errors below a share."""
    p = np.asarray(share, float)
    centre = p + z * z / (2 * runs)
    half = z * np.sqrt(p * (1 - p) / runs + z * z / (4 * runs * runs))
    return (centre - half) / (1 + z * z / runs)


def confirm(population: pd.DataFrame, names: Sequence[str], runs: int, seed: int,
            workers: int, z: float, targets: Targets = PAPER, progress: bool = True
            ) -> pd.DataFrame:
    """Every particle again on ``runs`` fresh runs; confirmed when each required share is met.

    A particle came through ABC-SMC on 16 runs, and a set whose true share sits at a
    requirement passes 16 runs about 60% of the time, so the pooled particles hold many sets
    that meet the targets by luck. Confirmed means: on the fresh runs, the lower end of the
    Wilson interval ``z`` standard errors below each share (every fitted target and all of them
    together) is at least the required share. Accepting on both the chain's runs and these is
    ABC with a stricter acceptance, so the importance weights carry over unchanged.
    Adds ``confirm:<target>`` (the shares) and ``confirmed``.
    """
    seeds = set_seeds(seed, len(population), runs)
    stats = evaluate_sets(population[list(names)].reset_index(drop=True), seeds, workers,
                          targets, progress=progress, desc="confirmation")
    out = population.copy()
    ok = np.ones(len(out), bool)
    for key in [*targets.fitted, "studied_network"]:
        share = stats[key].to_numpy(float)
        out[f"confirm:{key}"] = share
        ok &= wilson_low(share, runs, z) >= targets.required[key] - 1e-12
    out["confirmed"] = ok
    return out


class NothingConfirmed(ValueError):
    """No pooled particle met the targets on its confirmation runs."""


def confirmed(population: pd.DataFrame) -> pd.DataFrame:
    """The confirmed particles, their weights renormalised (the posterior the worlds sample)."""
    kept = population[population["confirmed"]].copy()
    if kept.empty:
        raise NothingConfirmed("no pooled particle was confirmed on its fresh runs")
    kept["weight"] = kept["weight"] / kept["weight"].sum()
    return kept


def effective_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of importance weights."""
    w = np.asarray(weights, float)
    return float(w.sum() ** 2 / (w ** 2).sum())


def resample(population: pd.DataFrame, names: Sequence[str], size: int, seed: int
             ) -> pd.DataFrame:
    """``size`` worlds drawn by systematic resampling on the weights (seeded)."""
    w = population["weight"].to_numpy(float)
    u = (np.random.default_rng(seed).uniform() + np.arange(size)) / size
    idx = np.minimum(np.searchsorted(np.cumsum(w / w.sum()), u), len(w) - 1)
    worlds = population.iloc[idx][list(names)].reset_index(drop=True)
    # the particle's row label, so a world names its row of posterior.csv
    worlds.insert(0, "particle", population.index.to_numpy()[idx])
    worlds.insert(0, "world", np.arange(size))
    return worlds


def _wquantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    # weighted, so not worlds.percentile: particles carry importance weights, worlds do not
    order = np.argsort(x)
    cw = np.cumsum(w[order]) / w.sum()
    return float(x[order][min(np.searchsorted(cw, q), len(x) - 1)])


def identifiability(population: pd.DataFrame, prior: dict[str, Prior],
                    calibrated: Sequence[str]) -> pd.DataFrame:
    """Per parameter: weighted posterior median, 5-95% interval and sd against the prior's."""
    w = population["weight"].to_numpy(float)
    rows = []
    for name, p in prior.items():
        x = population[name].to_numpy(float)
        mean = float(np.average(x, weights=w))
        sd = float(np.sqrt(np.average((x - mean) ** 2, weights=w)))
        rows.append({"parameter": name,
                     "role": "calibrated" if name in calibrated else "carried at its prior",
                     "prior_low": p.low, "prior_high": p.high,
                     "posterior_median": _wquantile(x, w, 0.5),
                     "posterior_q05": _wquantile(x, w, 0.05),
                     "posterior_q95": _wquantile(x, w, 0.95),
                     "sd_ratio": sd / p.sd})
    return pd.DataFrame(rows).sort_values("sd_ratio", ignore_index=True)


def correlation_matrix(population: pd.DataFrame, names: Sequence[str]) -> np.ndarray:
    """The weighted posterior correlation matrix of ``names`` (in that order)."""
    if len(population) < 2:  # one particle has no correlations (a tiny calibration)
        return np.full((len(names), len(names)), np.nan)
    w = population["weight"].to_numpy(float)
    c = np.cov(population[list(names)].to_numpy(float), rowvar=False, aweights=w)
    d = np.sqrt(np.diag(c))
    return c / np.outer(d, d)


def correlations(population: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """Weighted posterior correlations, one row a pair, strongest first."""
    r = correlation_matrix(population, names)
    rows = [{"a": a, "b": b, "correlation": float(r[i, j])}
            for i, a in enumerate(names) for j, b in enumerate(names) if i < j]
    out = pd.DataFrame(rows)
    return out.reindex(out["correlation"].abs().sort_values(ascending=False).index
                       ).reset_index(drop=True)


#: measurement choices whose effect is reported beside the fixed ones (never fitted)
VARIANTS = {
    "fieldwork share at most 10%": PAPER.with_(fieldwork_share=(0.01, 0.10)),
    "fieldwork share at most 20%": PAPER.with_(fieldwork_share=(0.01, 0.20)),
    "phase zero within 30 to 66 months": PAPER.with_(phase_zero_window=(30.0, 66.0)),
}


def predictive(sets: pd.DataFrame, replicates: int, seed: int, workers: int,
               targets: Targets = PAPER, progress: bool = True, desc: str = "check"
               ) -> pd.DataFrame:
    """Fresh runs of every set, scored: its shares, distance and which targets it meets."""
    seeds = set_seeds(seed, len(sets), replicates)
    stats = evaluate_sets(sets, seeds, workers, targets, progress=progress, desc=desc,
                          variants=VARIANTS)
    met = pd.DataFrame([meets(row, targets) for row in stats.to_dict("records")],
                       index=stats.index).add_prefix("meets:")
    return pd.concat([stats, met], axis=1)


def predictive_summary(posterior: pd.DataFrame, prior: pd.DataFrame,
                       targets: Targets = PAPER) -> pd.DataFrame:
    """Per pattern: share of worlds meeting it, and of prior draws, and the mean run share."""
    rows = []
    for name in [*targets.fitted, "studied_network", *HELD_OUT]:
        rows.append({"pattern": name,
                     "role": "held out" if name in HELD_OUT else "calibration target",
                     "required_share_of_runs": targets.required.get(name, 0.5),
                     "worlds_meeting": float(posterior[f"meets:{name}"].mean()),
                     "prior_draws_meeting": float(prior[f"meets:{name}"].mean()),
                     "mean_share_of_runs": float(posterior[name].mean()),
                     "mean_share_of_runs_prior": float(prior[name].mean())})
    for label in VARIANTS:
        rows.append({"pattern": f"all four targets, {label}", "role": "measurement choice",
                     "required_share_of_runs": np.nan,
                     "worlds_meeting": float((posterior[f"{label}:distance"] == 0).mean()),
                     "prior_draws_meeting": float((prior[f"{label}:distance"] == 0).mean()),
                     "mean_share_of_runs": np.nan, "mean_share_of_runs_prior": np.nan})
    rows.append({"pattern": "all four targets (the fixed choices)", "role": "measurement choice",
                 "required_share_of_runs": np.nan,
                 "worlds_meeting": float((posterior["distance"] == 0).mean()),
                 "prior_draws_meeting": float((prior["distance"] == 0).mean()),
                 "mean_share_of_runs": np.nan, "mean_share_of_runs_prior": np.nan})
    return pd.DataFrame(rows)
