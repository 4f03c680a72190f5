"""The funding-cycle explorer over plausible worlds: funding terms, and the minimum runway.

``phase0 explore funding`` runs two designs on the sweep engine (resumable, reproducible, one
compiled batch per chunk), both in every plausible world of the calibration's ensemble (100 worlds
evenly spaced through ``--parameter-sets posterior`` by default), 8 runs per world with common
seeds, to a 30-year horizon so that "not within 30 years" is backed by the runs:

1. a grid over contract length, KPI-tied versus flexible, the gap between contracts and core
   funding on or off, from a scenario (``new_network`` by default: the paper's question is how
   long a *new* network needs). In each cell, each world's time to an outcome is the median of
   its runs (:mod:`experiments.research.worlds`); the grid gives the share of worlds whose time
   is within 5, 10, 15 and 30 years and the 10th, 50th and 90th percentiles of the world times;
2. the minimum runway: ``r`` months of guaranteed flexible funding from month 0, after which a
   funding regime takes over (``flexible_runway_months``). For each regime, the first ``r``
   tried at which service users engage within ``within`` months (15 years by default) in at
   least 80% of the worlds.

Shares are of plausible worlds (parameter sets that fit the evidence), not probabilities of the
future: no interval of pooled runs is given. The per-world times are written too
(``grid_worlds.csv``, ``runway_worlds.csv``) for analyses of their own.

The paper's message is about process, not targets ("a focus on outcomes, should be exchanged for a
focus on process"), so the plain-words table proposes no new KPI: it says how long, and on what
terms, the money has to be there.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.policy.explore_report import (
    GRID_WORLD_COLUMNS,
    RUNWAY_WORLD_COLUMNS,
    grid_note,
    heatmaps,
    plain_words,
    runway_figure,
    runway_words,
)
from experiments.policy.regimes import (
    CONTRACT_MONTHS,
    GAP_MONTHS,
    HORIZON,
    MIN_WORLDS,
    REGIMES,
    RUNS_PER_WORLD,
    RUNWAYS,
    TARGET,
    WITHIN,
    Regime,
)
from experiments.research import worlds
from experiments.research.sweep.storage import remove_sweep
from experiments.support.outputs import (
    UserError,
    check_writable_target,
    portable_path,
    write_results,
)
from experiments.support.scenarios import load_scenario
from simulation.outcome_registry import HEADLINE

__all__ = ["CONTRACT_MONTHS", "GAP_MONTHS", "HORIZON", "MIN_WORLDS", "REGIMES",
           "RUNS_PER_WORLD", "RUNWAYS", "TARGET", "WITHIN", "Regime", "explore_funding",
           "grid_design", "runway_design", "runway_words", "summarise_grid",
           "summarise_runway", "world_times"]

#: The settings that make one cell of the funding grid.
CELL_KEYS = ["core_funding", "kpi_tied", "contract_months", "contract_gap_months"]


def load_sets(parameter_sets: str, max_sets: int,
              overrides: Mapping[str, Any] | None = None) -> tuple[list[int], pd.DataFrame]:
    """World ids and the parameter sets as a table (one world, no columns, for 'defaults').

    The scenario's settings that apply in a world (``overrides`` through
    :func:`experiments.research.worlds.scenario_in_worlds`, e.g. ``new_network``'s cold start)
    are left out of the worlds' columns, so the scenario's value is the one run.
    """
    from experiments.research.compare import load_worlds

    ids, sets = load_worlds(parameter_sets, max_sets or None)
    if not sets:
        return [0], pd.DataFrame(index=[0])
    table = pd.DataFrame(sets)
    kept = worlds.scenario_in_worlds(overrides or {})
    return ids, table.drop(columns=[c for c in kept if c in table.columns])


def _cross(settings: pd.DataFrame, sets: pd.DataFrame) -> pd.DataFrame:
    """Every row of ``settings`` in every world (settings vary slowest, worlds fastest).

    Design row ``i`` is then world ``i % len(sets)`` of cell ``i // len(sets)``. A world's value
    of a setting (a lever, the horizon) gives way to the setting's.
    """
    left = settings.reset_index(drop=True)
    sets = sets.drop(columns=[c for c in sets.columns if c in left.columns])
    if sets.columns.empty:
        return left.astype(float)
    out = left.loc[left.index.repeat(len(sets))].reset_index(drop=True)
    tiled = pd.concat([sets] * len(left), ignore_index=True)
    return pd.concat([out, tiled], axis=1).astype(float)


def grid_design(sets: pd.DataFrame, horizon: int | None = None) -> pd.DataFrame:
    """The funding grid in every world (``horizon``: months simulated, else the scenario's)."""
    cells = pd.DataFrame(list(itertools.product(CONTRACT_MONTHS, (0, 1), GAP_MONTHS, (0, 1))),
                         columns=["contract_months", "kpi_tied", "contract_gap_months",
                                  "core_funding"])
    if horizon is not None:
        cells["horizon_months"] = horizon
    return _cross(cells, sets)


def runway_design(sets: pd.DataFrame, runways: Sequence[int] | None = None,
                  horizon: int | None = None,
                  regimes: Sequence[Regime] = REGIMES) -> pd.DataFrame:
    """Every regime at every runway length, in every world."""
    rows = [{**{k: float(v) for k, v in r.parameters().items()},
             "flexible_runway_months": float(m)}
            for r in regimes for m in (RUNWAYS if runways is None else runways)]
    settings = pd.DataFrame(rows)
    if horizon is not None:
        settings["horizon_months"] = horizon
    return _cross(settings, sets)


def _run(work: Path, table: pd.DataFrame, scenario: str, replicates: int, seed: int,
         workers: int, progress: bool, ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Run (or resume) one table design on the sweep engine; its per-run results."""
    from experiments.research.sweep.run import new_sweep, run_sweep

    folder, planned = new_sweep(work, method="table", n=0, replicates=replicates, seed=seed,
                                params=None, scenario=scenario, model=None, problem_file=None,
                                second_order=False, levels=4, values=None, chunk_rows=None,
                                table=table, world_ids=ids)
    try:
        report = run_sweep(folder, planned, resume=True, workers=workers, scheduler=None,
                           shard=None, progress=progress)
    except UserError as exc:
        raise UserError(f"{exc} (the explorer's settings or worlds changed: pass --fresh to "
                        "start its sweeps again)") from None
    except OSError as exc:  # a full, read-only or busy disk while writing chunks
        raise UserError(f"cannot write the sweep in '{work}': {exc.strerror or exc}; finished "
                        "chunks are kept and resume on the next run") from None
    try:
        runs = pd.read_parquet(work / "results.parquet")
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        reason = " ".join(str(exc).split())[:120]
        raise UserError(f"'{work / 'results.parquet'}' is damaged ({reason}); run again with "
                        "--fresh") from None
    runs.attrs["executed"] = report["runs"]
    return runs


def world_times(runs: pd.DataFrame, ids: Sequence[int], keys: Sequence[str]) -> pd.DataFrame:
    """Per design cell, world and outcome: the world's time (median of its runs, censored).

    ``runs`` is a sweep's per-run table over a design made by :func:`_cross` with ``len(ids)``
    worlds; ``keys`` are the settings that name a cell. Returns the columns of
    :func:`experiments.research.worlds.world_times` with ``cell``, ``world`` and ``keys``.
    """
    n = len(ids)
    frame = runs.assign(scenario=runs["row"].to_numpy() // n,
                        world=np.asarray(ids)[runs["row"].to_numpy() % n])
    times = worlds.world_times(frame, key="world").rename(columns={"scenario": "cell"})
    cells = frame.groupby("scenario", sort=True)[list(keys)].first()
    times = times.join(cells, on="cell")
    return times.sort_values(["cell", "world", "outcome"], kind="stable").reset_index(drop=True)


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    for col in ("core_funding", "kpi_tied"):
        if col in df:
            df[col] = df[col].astype(float).ge(0.5)
    for col in ("contract_months", "contract_gap_months", "flexible_runway_months"):
        if col in df:
            df[col] = df[col].round().astype(int)
    return df


def _summary(times: pd.DataFrame) -> pd.DataFrame:
    """:func:`experiments.research.worlds.summarise_worlds` per cell (``cell`` as scenario)."""
    cells = sorted(times["cell"].unique())
    return worlds.summarise_worlds(times.rename(columns={"cell": "scenario"}), cells) \
        .rename(columns={"scenario": "cell"})


def summarise_grid(times: pd.DataFrame) -> pd.DataFrame:
    """Per grid cell and outcome: worlds, runs per world, shares within 5-30 years, percentiles.

    ``times`` is :func:`world_times` of the grid (keys :data:`CELL_KEYS`). Columns: the cell's
    settings, ``outcome``, ``worlds``, ``runs_per_world``, ``horizon_months``,
    ``share_within_<60|120|180|360>`` (NaN past the horizon), ``share_beyond_horizon`` and
    ``p<10|50|90>_months`` with ``p<q>_beyond_horizon``, as in
    :func:`experiments.research.worlds.summarise_worlds`.
    """
    summary = _summary(times)
    cells = times.groupby("cell", sort=True)[CELL_KEYS].first()
    summary = summary.join(cells, on="cell")
    summary = summary[CELL_KEYS + [c for c in summary.columns if c not in CELL_KEYS + ["cell"]]]
    summary = summary.sort_values(["outcome", *CELL_KEYS], kind="stable",
                                  key=lambda s: s.map({o: i for i, o in enumerate(HEADLINE)})
                                  if s.name == "outcome" else s)
    return _typed(summary.reset_index(drop=True))


def grid_worlds(times: pd.DataFrame) -> pd.DataFrame:
    """The grid's per-world table (``grid_worlds.csv``)."""
    return _typed(times[GRID_WORLD_COLUMNS].copy())


def runway_worlds(times: pd.DataFrame, regimes: Sequence[Regime] = REGIMES) -> pd.DataFrame:
    """The runway design's per-world table (``runway_worlds.csv``), regimes by key."""
    df = times.copy()
    df["regime"] = _regime_keys(df, regimes)
    df["runway_months"] = df["flexible_runway_months"].round().astype(int)
    return df[RUNWAY_WORLD_COLUMNS].reset_index(drop=True)


def _regime_keys(df: pd.DataFrame, regimes: Sequence[Regime] = REGIMES) -> pd.Series:
    keys = pd.Series(None, index=df.index, dtype=object)
    for regime in regimes:
        mask = np.ones(len(df), bool)
        for k, v in regime.parameters().items():
            mask &= df[k].astype(float).to_numpy() == float(v)
        keys[mask] = regime.key
    return keys


def summarise_runway(times: pd.DataFrame, within: int, regimes: Sequence[Regime] = REGIMES
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shares of worlds with each outcome within ``within`` months, and each regime's minimum.

    ``times`` is :func:`world_times` of the runway design. The curves give, per regime and
    runway, the share of worlds whose engagement (and phase-zero) time is at most ``within``.
    A regime's minimum runway is the first runway tried whose share is at least
    :data:`TARGET`; with fewer than :data:`MIN_WORLDS` worlds there is no verdict
    (``too_few_worlds``).
    """
    times = times.assign(regime=_regime_keys(times, regimes))
    curves = []
    for regime in regimes:
        sub = times[times["regime"] == regime.key]
        for r, g in sub.groupby("flexible_runway_months", sort=True):
            eng = g[g["outcome"] == "engagement"]
            p50 = worlds.percentile(worlds.time_values(eng), 50)
            curves.append({"regime": regime.key, "runway_months": int(round(r)),
                           "worlds": int(g["world"].nunique()),
                           "runs_per_world": int(g["runs"].min()), "within_months": within,
                           "share_engagement": round(worlds.share_within(eng, within), 4),
                           "share_phase_zero": round(worlds.share_within(
                               g[g["outcome"] == "phase_zero"], within), 4),
                           "engagement_p50_months": np.nan if np.isinf(p50) else p50,
                           "engagement_p50_beyond_horizon": bool(np.isinf(p50))})
    curves_df = pd.DataFrame(curves)
    minimum = []
    for regime in regimes:
        c = curves_df[curves_df.regime == regime.key].reset_index(drop=True)
        few = bool(c.worlds.min() < MIN_WORLDS)
        ok = c[c.share_engagement >= TARGET]
        r_min = None if few or ok.empty else int(ok.runway_months.min())
        # the share need not rise with the runway: say whether every longer one tried also
        # meets the target
        holds = bool(r_min is not None
                     and (c[c.runway_months >= r_min].share_engagement >= TARGET).all())
        i = int(ok.index.min()) if r_min is not None else len(c) - 1
        minimum.append({"regime": regime.key, "funding": regime.words,
                        "minimum_runway_months": r_min,
                        "previous_runway_months": (int(c.runway_months[i - 1])
                                                   if r_min is not None and i > 0 else None),
                        "holds_for_longer_runways": holds,
                        "share_engagement": float(c.share_engagement[i]),
                        "at_runway_months": int(c.runway_months[i]),
                        "worlds": int(c.worlds.min()),
                        "runs_per_world": int(c.runs_per_world.min()),
                        "within_months": within, "too_few_worlds": few})
    minimum_df = pd.DataFrame(minimum)
    for col in ("minimum_runway_months", "previous_runway_months"):
        minimum_df[col] = minimum_df[col].astype("Int64")
    return curves_df, minimum_df


def default_work(out: Path) -> Path:
    """Where the explorer keeps its sweeps by default: beside ``out``, as ``OUT-sweeps``.

    Beside, not inside: the output folder is replaced whole when written again, and must not
    hold what the command reads; and not in the current folder, which the user did not name.
    """
    out = Path(out)
    return out.parent / f"{out.name}-sweeps"


def explore_funding(out: Path, *, scenario: str = "new_network",
                    replicates: int = RUNS_PER_WORLD, parameter_sets: str = "posterior",
                    max_sets: int = 100, within: int | None = None, horizon: int = HORIZON,
                    workers: int = 1, seed: int = 2012, work: Path | None = None,
                    overwrite: bool = False, fresh: bool = False,
                    progress: bool = True,
                    regimes: Sequence[Regime] = REGIMES,
                    inputs: Sequence[Path] = ()) -> dict[str, Any]:
    """Run the funding grid and the runway design, and write tables and figures into ``out``.

    ``horizon`` (months) replaces the scenario's; ``within`` (the runway's engagement window)
    defaults to 15 years, or the horizon if shorter. ``regimes``: the funding regimes whose
    minimum runway is sought (:data:`REGIMES`, or an analyst's, :func:`load_regimes`, whose
    file is among the ``inputs`` the output folder must not hold). The sweeps live in
    ``work`` (default :func:`default_work`, beside ``out``): an interrupted explorer resumes
    them, a finished one reuses them, a changed design (other worlds, runs, horizon, regimes)
    is refused; ``fresh`` deletes them first (only sweep folders phase0 wrote). ``overwrite``
    replaces the output folder (only one phase0 wrote, never one holding the sweeps, the
    scenario, the parameter sets or the regimes file).
    """
    started = time.perf_counter()
    if replicates < 1:
        raise UserError(f"--replicates must be at least 1, got {replicates}")
    sc = load_scenario(scenario)
    if not 1 <= horizon <= 1200:
        raise UserError(f"--horizon must be in [1, 1200] months, got {horizon}")
    within = min(WITHIN, horizon) if within is None else within
    if not 1 <= within <= horizon:
        raise UserError(f"--within must be in [1, {horizon}] months (the horizon), got {within}")
    work = work or default_work(out)
    reads = [work, *([sc.path] if sc.path else []),
             *([Path(parameter_sets)] if Path(parameter_sets).suffix == ".csv" else []),
             *map(Path, inputs)]
    if Path(work).resolve() in Path(out).resolve().parents:
        # the output folder is replaced whole: inside the sweeps it would replace one of them
        raise UserError(f"'{out}' is inside the explorer's sweeps folder '{work}'; choose an "
                        "output folder outside it (or another --work)")
    check_writable_target(out, overwrite, reads)
    ids, sets = load_sets(parameter_sets, max_sets, sc.overrides)
    if fresh:
        for part in ("grid", "runway"):
            remove_sweep(work / part, reads[1:])
    scenario_arg = str(sc.path) if sc.path else scenario
    own = ids if len(sets.columns) else None  # each world on its own seeds; defaults: common
    grid_runs = _run(work / "grid", grid_design(sets, horizon), scenario_arg, replicates, seed,
                     workers, progress, own)
    runway_runs = _run(work / "runway", runway_design(sets, horizon=horizon, regimes=regimes),
                       scenario_arg, replicates, seed, workers, progress, own)
    g_times = world_times(grid_runs, ids, CELL_KEYS)
    r_times = world_times(runway_runs, ids, [*CELL_KEYS, "flexible_runway_months"])
    grid = summarise_grid(g_times)
    curves, minimum = summarise_runway(r_times, within, regimes)
    base = {**sc.params, "horizon_months": horizon}
    record = {"scenario": sc.name, "replicates": replicates, "runs_per_world": replicates,
              "parameter_sets": parameter_sets, "worlds": len(ids), "sets": len(ids),
              "world_ids": list(ids), "horizon_months": horizon, "within_months": within,
              "target": TARGET, "min_worlds": MIN_WORLDS, "seed": seed,
              "grid_runs": len(grid_runs), "runway_runs": len(runway_runs),
              "runs_executed_now": grid_runs.attrs["executed"] + runway_runs.attrs["executed"],
              "regimes": [r.__dict__ for r in regimes], "runways": list(RUNWAYS),
              "contract_months": list(CONTRACT_MONTHS), "gap_months": list(GAP_MONTHS),
              "base_parameters": base, "sweeps": portable_path(work),
              "seconds": round(time.perf_counter() - started, 1)}
    write_results(out, {
        "funding_grid.csv": grid, "funding_grid.md": grid_note(grid, sc.name),
        "grid_worlds.csv": grid_worlds(g_times),
        "runway_worlds.csv": runway_worlds(r_times, regimes),
        "runway_curves.csv": curves, "minimum_runway.csv": minimum,
        "minimum_runway.md": plain_words(minimum, curves, within, sc.name, len(ids),
                                         replicates, horizon, len(runway_runs), regimes),
        **{f"heatmap_{o}.png": (lambda path, o=o: heatmaps(grid, o, path, sc.name))
           for o in HEADLINE},
        "runway.png": lambda path: runway_figure(curves, within, path, regimes),
    }, record, overwrite=overwrite, inputs=reads)
    return {"minimum": minimum, "grid": grid, "curves": curves, "record": record,
            "grid_times": g_times, "runway_times": r_times}
