"""One factor at a time: response curves of both outcomes across each top parameter's range.

The others stay at the scenario's values (ten Broeke et al. 2016's first step); a sweep's model
class, when it has one, runs the curves.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from experiments.research.sweep.design import DUMMY
from experiments.support.models import load_model_class
from experiments.support.outputs import UserError
from simulation.outcome_registry import HEADLINE


def one_at_a_time(manifest: dict[str, Any], ranking: pd.DataFrame, k: int, seed: int,
                  levels: int = 9, replicates: int = 20) -> pd.DataFrame:
    """Response of both outcomes across each of the ``k`` most influential parameters' ranges.

    ``ranking`` has a ``parameter`` and a ``score`` column. Other parameters keep the sweep's
    base (scenario) values; every level runs with the same ``replicates`` seeds.
    """
    from experiments.research.compare import common_seeds
    from simulation import run_batch
    from simulation.parameters import REGISTRY

    if manifest.get("model") is not None:
        raise UserError("one-factor-at-a-time curves are drawn for the phase0 model only")
    model_class, _ = load_model_class(manifest.get("model_class"))  # registers its parameters
    top = (ranking[ranking["parameter"] != DUMMY].groupby("parameter")["score"].max()
           .sort_values(ascending=False).head(k).index.tolist())
    names, bounds = manifest["problem"]["names"], manifest["problem"]["bounds"]
    seeds = common_seeds(seed, replicates)
    rows = []
    for name in top:
        lo, hi = bounds[names.index(name)]
        p = REGISTRY[name]
        if p.type is bool:
            values: list[Any] = [False, True]
        elif p.type is int:
            values = sorted({int(round(v)) for v in np.linspace(lo, hi, levels)})
        else:
            values = list(np.linspace(lo, hi, levels))
        results = run_batch([{**manifest["base"], name: v} for v in values for _ in seeds],
                            [s for _ in values for s in seeds], model_class=model_class)
        for i, v in enumerate(values):
            chunk = results[i * len(seeds):(i + 1) * len(seeds)]
            for outcome in HEADLINE:
                h = chunk[0].summary["horizon_months"]
                t = np.array([r.summary[f"{outcome}_months"] or h for r in chunk], float)
                reached = np.array([not r.summary[f"{outcome}_censored"] for r in chunk])
                rows.append({"parameter": name, "value": float(v), "outcome": outcome,
                             "median_months_capped": float(np.median(t)),
                             "q10": float(np.quantile(t, 0.1)),
                             "q90": float(np.quantile(t, 0.9)),
                             "p_reached": float(reached.mean()), "replicates": len(chunk),
                             "horizon_months": h})
    return pd.DataFrame(rows)
