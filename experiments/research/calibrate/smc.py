"""ABC-SMC with pyabc: the parameters that matter, the others carried at their priors.

pyabc (Klinger, Rickert and Hasenauer 2018) runs the sequential Monte Carlo; this module gives
it the priors, a simulator and the distance. Each simulation of a particle runs one parameter
set ``replicates`` times on ``tpn_baseline`` (to the end of the fieldwork) and scores the runs
against the studied network (:mod:`.patterns`). The parameters not calibrated are drawn afresh
from their priors in every simulation, so they are integrated over, not fixed; an accepted
particle keeps the values its simulation drew, which makes the population a sample of the joint
posterior of every behaviour parameter.

Reproducibility: the committed run uses pyabc's single-core sampler and seeds NumPy's global
generator, which pyabc draws from, at the start of each chain, so a chain is a function of its
seed. The two cores run two independent chains (seeds ``seed`` and ``seed + 1``) rather than a
parallel sampler, whose order of evaluation (and so its result) depends on timing.
"""

from __future__ import annotations

import logging
import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.research.calibrate.patterns import PAPER, Targets, set_statistics
from experiments.research.calibrate.priors import Prior
from experiments.support.parallel import map_in_order
from simulation import run_batch

_CARRIED = "carried:"


@dataclass
class Chain:
    """One ABC-SMC chain: its generations and its final weighted population."""

    seed: int
    generations: pd.DataFrame
    population: pd.DataFrame


class Simulator:
    """pyabc's model: one parameter set run ``replicates`` times, scored against the patterns."""

    def __init__(self, carried: dict[str, Prior], base: dict[str, Any], replicates: int,
                 targets: Targets) -> None:
        self.carried, self.base = carried, base
        self.replicates, self.targets = replicates, targets

    def __call__(self, pars: Any) -> dict[str, float]:
        """Draw the carried parameters and run seeds from pyabc's (seeded) generator; score."""
        rng = np.random.default_rng(np.random.randint(0, 2**31 - 1))
        carried = {k: float(rng.uniform(p.low, p.high)) for k, p in self.carried.items()}
        calibrated = {k: float(v) for k, v in dict(pars).items()}
        seeds = [int(s) for s in rng.integers(0, 2**32 - 1, self.replicates)]
        results = run_batch({**self.base, **carried, **calibrated}, seeds, timeseries=False)
        stats = set_statistics(results, self.replicates, self.targets)[0]
        return {**stats, **{_CARRIED + k: v for k, v in {**carried, **calibrated}.items()}}


def _distance(x: dict[str, float], x0: dict[str, float]) -> float:
    return float(x["distance"])


def run_chain(seed: int, calibrated: dict[str, Prior], carried: dict[str, Prior],
              base: dict[str, Any], replicates: int, population: int, generations: int,
              max_simulations: int, targets: Targets = PAPER, log: bool = True,
              min_acceptance: float = 0.015) -> Chain:
    """One seeded ABC-SMC chain on a single core, down to distance 0 or a stopping rule.

    The epsilon schedule is pyabc's default quantile schedule (each generation's threshold is
    the median distance of the previous population), from a first threshold set on a sample
    from the prior; it stops when the threshold reaches 0 (every fitted target met often
    enough), after ``generations`` generations, after ``max_simulations`` simulations, or when
    a generation's acceptance rate falls below ``min_acceptance`` (that generation is then cut
    short and the previous one is the chain's last).
    """
    import pyabc

    logger = logging.getLogger("ABC")
    logger.setLevel(logging.INFO if log else logging.WARNING)
    if log and not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(f"chain {seed}: %(message)s"))
        logger.addHandler(handler)
    np.random.seed(seed)
    random.seed(seed)
    prior = pyabc.Distribution(**{k: pyabc.RV("uniform", p.low, p.high - p.low)
                                  for k, p in calibrated.items()})
    abc = pyabc.ABCSMC(Simulator(carried, base, replicates, targets), prior, _distance,
                       population_size=population,
                       eps=pyabc.QuantileEpsilon(alpha=0.5),
                       sampler=pyabc.sampler.SingleCoreSampler(check_max_eval=True))
    with tempfile.TemporaryDirectory() as tmp:
        abc.new("sqlite:///" + str(Path(tmp) / "abc.db"), {"distance": 0.0})
        history = abc.run(minimum_epsilon=0.0, max_nr_populations=generations,
                          max_total_nr_simulations=max_simulations,
                          min_acceptance_rate=min_acceptance)
        gens = history.get_all_populations()
        weights, stats = history.get_weighted_sum_stats()
    gens = gens[gens["t"] >= 0].reset_index(drop=True)
    gens["acceptance_rate"] = gens["particles"] / gens["samples"]
    gens = gens[["t", "epsilon", "samples", "particles", "acceptance_rate"]]
    pop = pd.DataFrame([{k.removeprefix(_CARRIED): v for k, v in s.items()} for s in stats])
    w = np.asarray(weights, float)
    pop.insert(0, "weight", w / w.sum())
    return Chain(seed, gens, pop)


def _chain_job(seed: int, kwargs: dict[str, Any]) -> Chain:
    return run_chain(seed, **kwargs)


def run_chains(seeds: list[int], workers: int, **kwargs: Any) -> list[Chain]:
    """Independent chains, one a process (each is a function of its seed alone)."""
    return map_in_order(_chain_job, [(s, kwargs) for s in seeds], [1] * len(seeds),
                        min(workers, len(seeds)), progress=False)
