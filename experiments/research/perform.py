"""One call for a set of experiments, like the EMA Workbench's ``perform_experiments``.

``perform_experiments`` takes a scenario, a design (a DataFrame of parameter values, or a
number of samples and a method) and a number of replicates, runs them on the sweep engine
(the same as ``phase0 sweep``: chunks, workers, common random numbers) and returns two tidy
DataFrames, ``(experiments, outcomes)``, one row per run in the same order. Given a folder, the
sweep is kept there and an interrupted call resumes it; without one it runs in a temporary
folder that is removed afterwards.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from experiments.research.sweep.run import new_sweep, run_sweep
from experiments.research.sweep.storage import RESULTS, SweepFolder

#: Columns that say which run a row is (they lead both tables).
RUN_COLUMNS = ("row", "replicate", "seed")


def perform_experiments(scenario: str | None = None, design: pd.DataFrame | int = 64, *,
                        method: str = "lhs", params: Sequence[str] | None = None,
                        values: Mapping[str, Sequence[float]] | None = None,
                        replicates: int = 1, seed: int = 0, folder: str | Path | None = None,
                        workers: int = 1, model_class: type | str | None = None,
                        progress: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run a design of experiments and return ``(experiments, outcomes)``.

    Args:
        scenario: the scenario whose values the parameters not in the design take (default
            ``tpn_baseline``).
        design: a DataFrame whose columns are parameters and whose rows are the experiments, or
            a number of samples for ``method``.
        method: ``"lhs"``, ``"sobol"``, ``"morris"`` or ``"grid"`` (with ``values``), when
            ``design`` is a number; the SALib samplers of ``phase0 sweep``.
        params: the parameters to vary (default: every behaviour and lever parameter).
        values: grid values per parameter (``method="grid"``).
        replicates: runs per experiment, with common seeds across experiments.
        seed: root seed of the design and the run seeds.
        folder: keep the sweep here (resumed if interrupted; refused if it holds another).
        workers: worker processes.
        model_class: a PhaseZeroModel subclass (or ``module:Class``) to run instead.
        progress: show a progress bar.

    Returns:
        ``experiments``: one row per run: ``row``, ``replicate``, ``seed``, ``scenario`` and the
        design's parameter values, each followed by the value the model used (``NAME_used``:
        integers rounded, booleans true from 0.5). ``outcomes``: the same ``row``,
        ``replicate``, ``seed`` and every output (each outcome's month, nullable, and its
        ``_censored`` flag; the end-of-run indices).
    """
    table = design if isinstance(design, pd.DataFrame) else None
    if table is not None:
        method, n = "table", len(table)
    else:
        n = int(design)
    if folder is None:
        with tempfile.TemporaryDirectory(prefix="phase0-experiments-") as tmp:
            return _perform(Path(tmp) / "sweep", scenario, table, method, n, params, values,
                            replicates, seed, workers, model_class, progress)
    return _perform(Path(folder), scenario, table, method, n, params, values, replicates, seed,
                    workers, model_class, progress)


def _perform(out: Path, scenario: str | None, table: pd.DataFrame | None, method: str, n: int,
             params: Sequence[str] | None, values: Mapping[str, Sequence[float]] | None,
             replicates: int, seed: int, workers: int, model_class: type | str | None,
             progress: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    grid_params = list(values) if method == "grid" and values and not params else params
    folder, planned = new_sweep(
        out, method=method, n=n, replicates=replicates, seed=seed, params=grid_params,
        scenario=scenario, model=None, problem_file=None, second_order=False, levels=4,
        values=values, chunk_rows=None, table=table, model_class=model_class)
    resume = folder.exists()
    run_sweep(folder, planned, resume=resume, workers=workers, scheduler=None, shard=None,
              progress=progress)
    return split(SweepFolder(out))


def split(folder: SweepFolder) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A finished sweep's runs as ``(experiments, outcomes)``."""
    manifest = folder.read_manifest()
    runs = pd.read_parquet(folder.path / RESULTS)
    names = manifest["problem"]["names"]
    design = [c for name in names for c in (name, name + "_used") if c in runs]
    experiments = runs[[*RUN_COLUMNS, *design]].copy()
    experiments.insert(3, "scenario", manifest.get("scenario"))
    outcomes = runs[[c for c in runs if c not in design]].copy()
    return experiments.reset_index(drop=True), outcomes.reset_index(drop=True)

