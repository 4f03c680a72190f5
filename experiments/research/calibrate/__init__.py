"""Calibration: an ABC-SMC posterior over every uncertain parameter, as plausible worlds.

The steps, each its own module (as SALib separates sampling, evaluation and analysis):

1. :mod:`.priors`: a uniform prior over the sweep range of every behaviour parameter;
2. :mod:`.patterns`: the paper's patterns as conditions on one run of ``tpn_baseline``, and the
   distance of a parameter set (the shortfalls of its runs below the required shares);
3. :mod:`.screening`: Morris elementary effects on that distance choose the parameters to
   calibrate; the rest are carried at their priors;
4. :mod:`.smc`: ABC-SMC with pyabc, two seeded single-core chains;
5. :mod:`.ensemble`: the pooled weighted particles, each confirmed on fresh runs, resampled
   into worlds; identifiability; the posterior predictive check of every target and of the
   held-out pattern;
6. :mod:`.report`: the calibration folder.

docs/calibration.md explains the choices and reports the committed run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from experiments.research.calibrate.ensemble import (
    confirm,
    confirmed,
    correlations,
    effective_size,
    identifiability,
    pool,
    predictive,
    predictive_summary,
    resample,
)
from experiments.research.calibrate.patterns import HELD_OUT, PAPER, REQUIRED_WHY, Targets
from experiments.research.calibrate.priors import SCENARIO, Prior, base_parameters, priors, sample
from experiments.research.calibrate.screening import morris_screen, screening_summary, select
from experiments.research.calibrate.seeds import seed_of
from experiments.research.calibrate.smc import run_chains


@dataclass
class Settings:
    """What a calibration run does; recorded in its manifest."""

    seed: int = 2012
    replicates: int = 16
    trajectories: int = 20
    screen_fraction: float = 0.45
    screen_most: int = 6
    population: int = 500
    generations: int = 12
    max_simulations: int = 70_000
    chains: int = 2
    worlds: int = 1000
    #: fresh runs of each pooled particle, and the margin (in standard errors) its shares
    #: must clear the required ones by, before it enters the ensemble
    confirmation_runs: int = 64
    confirmation_margin: float = 1.0


@dataclass
class SMCRun:
    """What screening and ABC-SMC found: all that the later steps need from them."""

    screening: pd.DataFrame
    calibrated: list[str]
    chain_seeds: list[int]
    generations: list[pd.DataFrame]
    pooled: pd.DataFrame


@dataclass
class Calibration:
    """Everything one calibration run found."""

    scenario: str
    targets: Targets
    prior: dict[str, Prior]
    screening: pd.DataFrame
    calibrated: list[str]
    chain_seeds: list[int]
    generations: list[pd.DataFrame]
    #: every pooled particle, with its confirmation shares and whether it was confirmed
    pooled: pd.DataFrame
    #: the confirmed particles, weights renormalised: the posterior
    population: pd.DataFrame
    ess: float
    worlds: pd.DataFrame
    identifiability: pd.DataFrame
    correlations: pd.DataFrame
    check: pd.DataFrame
    predictive: pd.DataFrame
    point: dict[str, Any]

    def targets_record(self) -> dict[str, Any]:
        """The targets as recorded in the manifest, with why each share is required."""
        return {**asdict(self.targets), "held_out": list(HELD_OUT), "why": REQUIRED_WHY}


def choose_point(worlds: pd.DataFrame, check: pd.DataFrame, names: list[str]) -> dict[str, Any]:
    """One joint point of the posterior: the world closest to the studied network on fresh runs.

    Smallest distance first, then the largest share of runs that are the studied network, then
    the smallest world number (so the choice is reproducible).
    """
    order = check.assign(world=worlds["world"]).sort_values(
        ["distance", "studied_network", "world"], ascending=[True, False, True])
    best = int(order.index[0])
    return {"world": int(worlds.loc[best, "world"]),
            "distance_on_fresh_runs": float(check.loc[best, "distance"]),
            "studied_network_share": float(check.loc[best, "studied_network"]),
            "parameters": {n: float(worlds.loc[best, n]) for n in names}}


def run_smc(settings: Settings, workers: int = 1, targets: Targets = PAPER,
            progress: bool = True) -> SMCRun:
    """Screen the parameters, then run the ABC-SMC chains over those that matter."""
    s = settings
    prior = priors()
    screen = morris_screen(prior, s.trajectories, s.replicates, s.seed, workers, targets,
                           progress)
    chosen = select(screen, s.screen_fraction, s.screen_most)
    chain_seeds = [seed_of("chains", s.seed) + i for i in range(s.chains)]
    chains = run_chains(chain_seeds, workers, calibrated={k: prior[k] for k in chosen},
                        carried={k: v for k, v in prior.items() if k not in chosen},
                        base=base_parameters(), replicates=s.replicates,
                        population=s.population, generations=s.generations,
                        max_simulations=s.max_simulations, targets=targets, log=progress)
    return SMCRun(screening=screening_summary(screen, chosen), calibrated=chosen,
                  chain_seeds=chain_seeds, generations=[c.generations for c in chains],
                  pooled=pool([c.population for c in chains]))


def calibrate(settings: Settings, workers: int = 1, targets: Targets = PAPER,
              progress: bool = True, smc: SMCRun | None = None) -> Calibration:
    """Screen, run ABC-SMC, pool, confirm, resample into worlds and check them.

    ``smc``: screening and chains already run (``phase0 calibrate --reuse-smc``); only the
    steps after them run again.
    """
    s = settings
    prior = priors()
    names = list(prior)
    if smc is None:
        smc = run_smc(settings, workers, targets, progress)
    pooled = confirm(smc.pooled, names, s.confirmation_runs, seed_of("confirmation", s.seed),
                     workers, s.confirmation_margin, targets, progress)
    population = confirmed(pooled)
    worlds = resample(population, names, s.worlds, s.seed)
    check = predictive(worlds[names], s.replicates, seed_of("posterior_check", s.seed), workers,
                       targets, progress, "posterior check")
    rng = np.random.default_rng(seed_of("prior_draws", s.seed))
    prior_check = predictive(sample(prior, s.worlds, rng), s.replicates,
                             seed_of("prior_check", s.seed), workers, targets, progress,
                             "prior check")
    return Calibration(
        scenario=SCENARIO, targets=targets, prior=prior,
        screening=smc.screening, calibrated=smc.calibrated,
        chain_seeds=smc.chain_seeds, generations=smc.generations, pooled=pooled,
        population=population, ess=effective_size(population["weight"].to_numpy()),
        worlds=worlds, identifiability=identifiability(population, prior, smc.calibrated),
        correlations=correlations(population, smc.calibrated),
        check=check.assign(world=worlds["world"].to_numpy()),
        predictive=predictive_summary(check, prior_check, targets),
        point=choose_point(worlds, check, names))
