"""Priors over every uncertain parameter, and running parameter sets against the patterns.

Every behaviour parameter of the registry is uncertain (the paper gives no value for any of
them), including the spread parameters that make each run a different network. Each gets a
uniform prior over its sweep range: the registry's evidence gives a range at most, never a
shape, so nothing argues for another one. Structure and lever parameters stay as the scenario
sets them, and measurement parameters (the outcome definitions) stay fixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from experiments.research.calibrate.patterns import PAPER, Targets, set_statistics
from experiments.research.worlds import CALIBRATED_SCENARIO as SCENARIO
from experiments.support.parallel import map_in_order
from experiments.support.scenarios import load_scenario
from simulation import run_batch
from simulation.parameters import BUILT_IN, REGISTRY


@dataclass(frozen=True)
class Prior:
    """A uniform prior on one parameter."""

    name: str
    low: float
    high: float

    @property
    def sd(self) -> float:
        """The prior's standard deviation."""
        return (self.high - self.low) / np.sqrt(12.0)


def priors() -> dict[str, Prior]:
    """A uniform prior over the sweep range of every behaviour parameter, in registry order."""
    return {n: Prior(n, *map(float, REGISTRY[n].sweep)) for n in BUILT_IN
            if REGISTRY[n].kind == "behaviour"}


def sample(prior: dict[str, Prior], n: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` independent draws from ``prior``, one row a set."""
    return pd.DataFrame({k: rng.uniform(p.low, p.high, n) for k, p in prior.items()})


def distinct_worlds(worlds: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The first copy of each distinct parameter set, and each world's first copy's number.

    Resampling draws a particle as often as its weight says, so worlds repeat; a check that
    runs each parameter set once runs these first copies (``world`` numbers kept).
    """
    names = list(priors())
    first = worlds.drop_duplicates(subset=names)
    key = worlds[names].apply(tuple, axis=1)
    to_first = key.map(dict(zip(first[names].apply(tuple, axis=1), first["world"], strict=True)))
    return first, pd.Series(to_first.to_numpy(), index=worlds["world"].to_numpy())


def base_parameters(scenario: str = SCENARIO, horizon: int = PAPER.horizon) -> dict[str, Any]:
    """The scenario's own settings, run to ``horizon`` months."""
    return {**load_scenario(scenario).overrides, "horizon_months": horizon}


def _evaluate(base: dict[str, Any], sets: list[dict[str, float]], seeds: list[list[int]],
              targets: Targets, variants: dict[str, Targets]) -> list[dict[str, float]]:
    params = [{**base, **s} for s, ss in zip(sets, seeds, strict=True) for _ in ss]
    results = run_batch(params, [x for ss in seeds for x in ss], timeseries=False)
    out = set_statistics(results, len(seeds[0]), targets)
    for label, other in variants.items():
        for row, alt in zip(out, set_statistics(results, len(seeds[0]), other), strict=True):
            row.update({f"{label}:{k}": v for k, v in alt.items()})
    return out


def evaluate_sets(sets: pd.DataFrame, seeds: Sequence[Sequence[int]], workers: int = 1,
                  targets: Targets = PAPER, base: dict[str, Any] | None = None,
                  progress: bool = False, desc: str = "sets", chunk: int = 16,
                  variants: dict[str, Targets] | None = None) -> pd.DataFrame:
    """Run each set on its own seeds; return its pattern shares and distance, one row a set.

    ``seeds[i]`` are set ``i``'s run seeds (all sets the same number). Results do not depend
    on ``workers``. ``variants`` score the same runs against other targets too (their
    columns are prefixed with the variant's label).
    """
    base = base_parameters() if base is None else base
    rows = sets.to_dict("records")
    jobs = [(base, rows[i:i + chunk], [list(s) for s in seeds[i:i + chunk]], targets,
             variants or {}) for i in range(0, len(rows), chunk)]
    out = map_in_order(_evaluate, jobs, [len(j[1]) for j in jobs], workers, progress,
                       unit="set", desc=desc)
    return pd.DataFrame([s for block in out for s in block], index=sets.index)


def set_seeds(seed: int, sets: int, replicates: int) -> list[list[int]]:
    """Independent run seeds for each of ``sets`` sets, from one root seed."""
    words = np.random.SeedSequence(seed).generate_state(sets * replicates, dtype=np.uint32)
    return [[int(w) for w in words[i * replicates:(i + 1) * replicates]] for i in range(sets)]
