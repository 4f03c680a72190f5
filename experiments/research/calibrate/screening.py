"""Screening: which parameters move the distance to the studied network (Morris).

SALib's Morris elementary effects on the calibration distance (and on each pattern's share)
over every prior at once. The parameters whose mean absolute effect on the distance is at least
``fraction`` of the largest are calibrated by ABC-SMC; the others are carried at their priors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.research.calibrate.patterns import PAPER, Targets
from experiments.research.calibrate.priors import Prior, evaluate_sets, set_seeds


def morris_screen(prior: dict[str, Prior], trajectories: int, replicates: int, seed: int,
                  workers: int = 1, targets: Targets = PAPER, progress: bool = True,
                  levels: int = 4) -> pd.DataFrame:
    """Morris mu*, mu and sigma of the distance for each parameter, largest mu* first."""
    from SALib import ProblemSpec

    names = list(prior)
    sp = ProblemSpec({"names": names, "num_vars": len(names),
                      "bounds": [[prior[n].low, prior[n].high] for n in names]})
    sp.sample_morris(trajectories, num_levels=levels, seed=seed)
    sets = pd.DataFrame(sp.samples, columns=names)
    # common seeds: every point of the design runs on the same seeds, so an elementary effect
    # is the parameter's, not the seeds'
    seeds = set_seeds(seed, 1, replicates) * len(sets)
    stats = evaluate_sets(sets, seeds, workers, targets, progress=progress, desc="Morris")
    sp.set_results(stats["distance"].to_numpy())
    sp.analyze_morris(num_levels=levels, seed=seed, num_resamples=200)
    table = sp.analysis.to_df().reset_index(names="parameter")
    table = table.rename(columns={"mu_star_conf": "mu_star_conf95"})
    return table.sort_values("mu_star", ascending=False, ignore_index=True)


def select(table: pd.DataFrame, fraction: float, most: int) -> list[str]:
    """Parameters with mu* at least ``fraction`` of the largest, at most ``most`` of them."""
    top = float(table["mu_star"].max())
    keep = table[table["mu_star"] >= fraction * top]["parameter"].tolist()
    return keep[:most] if top > 0 else []


def screening_summary(table: pd.DataFrame, chosen: list[str]) -> pd.DataFrame:
    """The screening table with a column saying what happened to each parameter."""
    out = table.copy()
    out["role"] = np.where(out["parameter"].isin(chosen), "calibrated", "carried at its prior")
    return out
