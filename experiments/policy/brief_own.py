"""A small comparison over plausible worlds for a scenario the committed comparison lacks.

When the brief is run on a user's own scenario (``phase0 brief --scenario own.toml``) and the
scenario comparison it reads does not include it, the brief runs one itself: the scenario and
the studied network, in worlds evenly spaced through the ensemble, a few runs each with the
seeds ``phase0 compare`` gives those worlds (so the studied network's runs repeat the committed
comparison's in the same worlds), both to the same horizon. Its tables go into the brief's
folder with the brief.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.research.worlds import WORLD_HORIZON
from experiments.support.outputs import UserError
from experiments.support.scenarios import Scenario, load_scenario

#: The comparison's root seed (``phase0 compare``'s default).
SEED = 20080


@dataclass(frozen=True)
class OwnRun:
    """How the brief compares a scenario the comparison lacks (``worlds`` None: all of them)."""

    worlds: int | None = 100
    runs: int = 8
    horizon: int = WORLD_HORIZON
    parameter_sets: str = "posterior"
    seed: int = SEED
    workers: int = 1
    progress: bool = False


@dataclass(frozen=True)
class OwnComparison:
    """The brief's own comparison: per-world times, their summary, and how it was run."""

    summary: pd.DataFrame
    times: pd.DataFrame
    record: dict[str, Any]


def how_to(sc: Scenario, reference: str) -> str:
    """The commands that make the comparison the brief did not run (HTML)."""
    name = sc.path.name if sc.path else sc.name
    return (f"<code>phase0 compare --scenarios {reference},{name} --out DIR</code>, then "
            f"<code>phase0 brief --scenario {name} --compare DIR</code>")


def _at_horizon(sc: Scenario, horizon: int) -> Scenario:
    from simulation.parameters import ParameterError, resolve

    overrides = {**sc.overrides, "horizon_months": horizon}
    try:
        params = resolve(overrides)
    except ParameterError as exc:
        raise UserError(f"scenario '{sc.name}' at a {horizon}-month horizon: {exc}") from None
    return replace(sc, overrides=overrides, params=params)


def run_own(sc: Scenario, run: OwnRun, reference: str) -> OwnComparison:
    """Run ``sc`` and ``reference`` in ``run.worlds`` worlds spread through the ensemble."""
    from experiments.research import worlds
    from experiments.research.compare import common_seeds, load_worlds, run_scenarios

    started = time.perf_counter()
    ids, sets = load_worlds(run.parameter_sets, run.worlds)
    if not sets:
        raise UserError("the brief's own comparison needs plausible worlds, not the defaults")
    scenarios = [_at_horizon(load_scenario(reference), run.horizon), _at_horizon(sc, run.horizon)]
    seeds = common_seeds(run.seed, run.runs)
    runs, _ = run_scenarios(scenarios, seeds, run.workers, metrics=(), progress=run.progress,
                            param_sets=sets, set_ids=ids)
    runs.insert(2, "world", runs["parameter_set"].map(dict(enumerate(ids))))
    times = worlds.world_times(runs)
    times.insert(2, "world", times["parameter_set"].map(dict(enumerate(ids))))
    summary = worlds.summarise_worlds(times, [s.name for s in scenarios])
    record = {"scenarios": [s.name for s in scenarios], "worlds": len(sets),
              "runs_per_world": run.runs, "world_ids": ids, "horizon_months": run.horizon,
              "seed": run.seed, "run_seeds": seeds, "world_seeds": worlds.WORLD_SEEDS,
              "parameter_sets": sets,
              "seconds": round(time.perf_counter() - started, 1)}
    return OwnComparison(summary, times, record)


def own_files(own: OwnComparison | None) -> dict[str, Any]:
    """The brief folder's files for its own comparison (none when it ran none)."""
    if own is None:
        return {}
    return {"own_comparison/worlds.csv": own.summary,
            "own_comparison/world_times.csv": own.times,
            "own_comparison/record.json": own.record}


def compared_in(folder: Path) -> list[str]:
    """The scenarios a comparison folder holds."""
    for name in ("worlds.csv", "comparison.csv"):
        if (folder / name).exists():
            return pd.read_csv(folder / name)["scenario"].drop_duplicates().tolist()
    return []
