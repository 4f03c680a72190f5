"""Compare scenarios: many replicates each, the same seeds for every scenario (in a world).

With one parameter set, writes for both outcomes a table (CSV and Markdown) of Kaplan-Meier
medians with 95% intervals, restricted mean time to the horizon, share censored and the
probability of reaching the outcome within 3, 5 and 10 years. Over many parameter sets
(plausible worlds, e.g. the calibration's ensemble), writes instead the world table of
:mod:`experiments.research.worlds` (shares of worlds within 5 to 30 years, the spread of the
worlds' times) and how often each ranking of the scenarios holds. Both write Kaplan-Meier
curves, trajectories with spread bands, the per-run results and a manifest recording
parameters, seeds, code and package versions.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.research.compare_figures import TRAJECTORY_METRICS, plot_km, plot_trajectories
from experiments.research.survival import (
    REPORT_MONTHS,
    Survival,
    format_months,
    kaplan_meier,
)
from experiments.research.worlds import WORLD_SEEDS, scenario_in_worlds, world_seeds
from experiments.support.models import model_class_name
from experiments.support.outputs import check_writable_target, portable_path, write_results
from experiments.support.parallel import map_in_order
from experiments.support.scenarios import Scenario
from simulation import run_batch
from simulation.outcome_registry import HEADLINE
from simulation.outcome_registry import label as outcome_label

OUTCOMES = HEADLINE
_CHUNK = 32
#: at most this many parameter sets are written into a manifest itself
INLINE_SETS = 100
#: At most this many runs per scenario keep their monthly series (for the trajectories figure).
SERIES_RUNS = 400


def series_plan(n_sets: int, replicates: int) -> tuple[int, int]:
    """How many parameter sets keep series, and how many runs of each (``SERIES_RUNS`` at most).

    One set keeps all its runs (up to the cap); many worlds keep their first run(s) each, for
    the first ``SERIES_RUNS`` worlds (an ensemble's rows are draws in no particular order).
    """
    per_set = min(replicates, max(1, SERIES_RUNS // n_sets))
    return min(n_sets, max(1, SERIES_RUNS // per_set)), per_set


def common_seeds(seed: int, replicates: int, seed_set: int = 1) -> list[int]:
    """``replicates`` run seeds from one SeedSequence: the same for every scenario or row.

    ``seed_set`` 2, 3, ... give further, independent sets from the same root seed (to see how
    far results move with the seeds alone); set 1 is the root seed's own.
    """
    entropy = seed if seed_set == 1 else [seed, seed_set]
    words = np.random.SeedSequence(entropy).generate_state(replicates, dtype=np.uint32)
    return [int(w) for w in words]


def _run_chunk(params: dict[str, Any], seeds: list[int], metrics: tuple[str, ...],
               model_class: type | None = None, keep: int | None = None
               ) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    """Run ``seeds``; return their summaries and the series of the first ``keep`` runs."""
    results = run_batch(params, seeds, timeseries=bool(metrics), model_class=model_class)
    kept = results[:keep] if metrics else []
    series = {m: np.stack([r.timeseries[m].to_numpy() for r in kept]) for m in metrics}
    return [r.summary for r in results], series


def run_scenarios(scenarios: Sequence[Scenario], seeds: Sequence[int], workers: int = 1,
                  metrics: tuple[str, ...] = TRAJECTORY_METRICS, progress: bool = True,
                  param_sets: Sequence[dict[str, Any]] | None = None,
                  model_class: type | None = None, set_ids: Sequence[int] | None = None,
                  ) -> tuple[pd.DataFrame, dict[str, dict[str, np.ndarray]]]:
    """Run every scenario on every seed (optionally for every extra parameter set).

    Returns a tidy table with one row a run, and per scenario the monthly series of ``metrics``
    (shape (runs, months + 1)) of at most :data:`SERIES_RUNS` runs: all of them with one
    parameter set; with many, the first runs of the first sets (see :func:`series_plan`).
    Results do not depend on ``workers``. With ``param_sets`` each world runs on its own seeds
    (:func:`experiments.research.worlds.world_seeds` of ``seeds`` and its id in ``set_ids``,
    by default its position), the same in every scenario.
    """
    sets = list(param_sets) if param_sets else [{}]
    ids = list(set_ids) if set_ids is not None else list(range(len(sets)))
    if len(ids) != len(sets):
        raise ValueError(f"set_ids has {len(ids)} ids for {len(sets)} parameter sets")
    own = [world_seeds(seeds, w) for w in ids] if param_sets else [list(seeds)]
    sets_kept, per_set = series_plan(len(sets), len(seeds))
    jobs = []
    for s in scenarios:
        # A world fixes behaviour; the scenario's own settings win where they are what it is
        # about (worlds.scenario_in_worlds), as the calibration ran the studied network.
        settings = scenario_in_worlds(s.overrides) if param_sets else s.overrides
        for k, extra in enumerate(sets):
            params = {**extra, **settings}
            for start in range(0, len(seeds), _CHUNK):
                keep = max(0, min(_CHUNK, per_set - start)) if k < sets_kept else 0
                jobs.append((s.name, k, start, params, own[k][start:start + _CHUNK], keep))
    outputs = map_in_order(_run_chunk, [(params, chunk, metrics if keep else (), model_class,
                                         keep) for *_, params, chunk, keep in jobs],
                           [len(job[4]) for job in jobs], workers, progress, desc="scenarios")
    rows, series = [], {s.name: {m: [] for m in metrics} for s in scenarios}
    for (name, k, start, *_), (summaries, chunk_series) in zip(jobs, outputs, strict=True):
        for j, summary in enumerate(summaries):
            rows.append({"scenario": name, "parameter_set": k, "replicate": start + j,
                         **summary})
        for m, values in chunk_series.items():
            series[name][m].append(values)
    stacked = {name: {m: np.concatenate(v) for m, v in d.items() if v}
               for name, d in series.items()}
    return pd.DataFrame(rows), stacked


def survival_table(runs: pd.DataFrame, scenario_order: Sequence[str]) -> tuple[
        pd.DataFrame, dict[tuple[str, str], Survival]]:
    """One row per scenario and outcome, with the Kaplan-Meier summaries."""
    rows, fits = [], {}
    for name in scenario_order:
        sub = runs[runs["scenario"] == name]
        for outcome in OUTCOMES:
            fit = fit_outcome(sub, outcome)
            fits[(name, outcome)] = fit
            row = {"scenario": name, "outcome": outcome, "runs": fit.n,
                   "median_months": fit.median, "median_low": fit.median_low,
                   "median_high": fit.median_high, "rmst_months": round(fit.rmst, 2),
                   "censored_share": round(fit.censored_share, 4)}
            for m, (p, lo, hi) in fit.reached_by.items():
                row[f"p_by_{m}"] = round(p, 4)
                row[f"p_by_{m}_low"] = round(lo, 4)
                row[f"p_by_{m}_high"] = round(hi, 4)
            rows.append(row)
    return pd.DataFrame(rows), fits


def markdown_table(table: pd.DataFrame) -> str:
    """The survival table for people: medians with intervals, 'not reached' where so."""
    def none(v: Any) -> float | None:
        return None if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)

    header = ["scenario", "outcome", "median months (95% CI)", "restricted mean (months)",
              "censored"] + [f"P(by {m // 12} y) (95% CI)" for m in REPORT_MONTHS]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for _, r in table.iterrows():
        med = format_months(none(r["median_months"]))
        ci = f"{format_months(none(r['median_low']))} to {format_months(none(r['median_high']))}"
        cells = [r["scenario"], outcome_label(r["outcome"]), f"{med} ({ci})",
                 f"{r['rmst_months']:.0f}", f"{r['censored_share']:.0%}"]
        for m in REPORT_MONTHS:
            if f"p_by_{m}" in r:
                cells.append(f"{r[f'p_by_{m}']:.2f} ({r[f'p_by_{m}_low']:.2f}-"
                             f"{r[f'p_by_{m}_high']:.2f})")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


#: Scenarios whose restricted mean times differ by less than this (months) count as tied.
TIE_MONTHS = 1.0


def format_ranking(rmst: dict[str, float], order: Sequence[str]) -> str:
    """Scenarios from fastest to slowest, ``<`` between groups and ``=`` within ties.

    A tie is a restricted mean within :data:`TIE_MONTHS` of the first scenario of its group
    (for instance several scenarios that never reach the outcome).
    """
    ranked = sorted(order, key=lambda n: (rmst[n], order.index(n)))
    groups: list[list[str]] = []
    for name in ranked:
        if groups and rmst[name] - rmst[groups[-1][0]] < TIE_MONTHS:
            groups[-1].append(name)
        else:
            groups.append([name])
    return " < ".join(" = ".join(g) for g in groups)


def fit_outcome(runs: pd.DataFrame, outcome: str) -> Survival:
    """Kaplan-Meier summary of ``outcome`` over ``runs`` (censored at their horizon)."""
    horizon = int(runs["horizon_months"].iloc[0])
    months = runs[f"{outcome}_months"].astype(float).to_numpy()
    return kaplan_meier(np.nan_to_num(months, nan=horizon),
                        runs[f"{outcome}_censored"].to_numpy(bool), horizon)


def rmst_by_set(runs: pd.DataFrame) -> pd.DataFrame:
    """Restricted mean time to each outcome, per parameter set and scenario."""
    rows = [{"parameter_set": k, "scenario": name, "outcome": outcome,
             "rmst": fit_outcome(sub, outcome).rmst}
            for (k, name), sub in runs.groupby(["parameter_set", "scenario"], sort=True)
            for outcome in OUTCOMES]
    return pd.DataFrame(rows)


def ranking_frequencies(runs: pd.DataFrame, order: Sequence[str]) -> pd.DataFrame:
    """How often each ranking of scenarios (by restricted mean time) holds across parameter sets.

    Scenarios are ranked from fastest to slowest by the restricted mean time to each outcome
    within each parameter set; ties are shown with ``=`` (see :func:`format_ranking`).
    """
    table = rmst_by_set(runs)
    rows = []
    for outcome, by_outcome in table.groupby("outcome", sort=False):
        rankings = [format_ranking(dict(zip(sub["scenario"], sub["rmst"], strict=True)), order)
                    for _, sub in by_outcome.groupby("parameter_set")]
        counts = pd.Series(rankings).value_counts(sort=True)
        for ranking, c in counts.items():
            rows.append({"outcome": outcome, "ranking": ranking, "parameter_sets": int(c),
                         "share": round(c / len(rankings), 4)})
    return pd.DataFrame(rows)


def pairwise_order_frequencies(runs: pd.DataFrame, order: Sequence[str],
                               reference: str) -> pd.DataFrame:
    """Share of parameter sets in which each scenario is slower than ``reference``.

    Slower means a restricted mean time at least :data:`TIE_MONTHS` longer.
    """
    wide = rmst_by_set(runs).pivot_table(index=["outcome", "parameter_set"],
                                         columns="scenario", values="rmst")
    rows = []
    for outcome in OUTCOMES:
        sub = wide.loc[outcome]
        for name in order:
            if name != reference:
                slower = (sub[name] - sub[reference]) >= TIE_MONTHS
                rows.append({"outcome": outcome, "scenario": name,
                             f"slower_than_{reference}": round(float(slower.mean()), 4)})
    return pd.DataFrame(rows)


def write_comparison(out: Path, scenarios: Sequence[Scenario], seeds: Sequence[int],
                     workers: int, overwrite: bool, seed: int,
                     param_sets: Sequence[dict[str, Any]] | None = None,
                     progress: bool = True, model_class: type | None = None,
                     world_ids: Sequence[int] | None = None,
                     source: str = "a parameter-set file",
                     inputs: Sequence[Path] = ()) -> pd.DataFrame:
    """Run the comparison and write every output into ``out`` atomically; return its table.

    With ``param_sets`` (plausible worlds; ``world_ids`` their ids, ``source`` where they come
    from) the table is the world table of :mod:`experiments.research.worlds` (``worlds.csv``,
    also ``comparison.csv``) and ``comparison.md`` shows only it; the Kaplan-Meier table pools
    every run of every world and goes to ``pooled_kaplan_meier.csv``. Without, the table is the
    Kaplan-Meier table of one parameter set, as ``comparison.csv`` and ``comparison.md``.
    ``model_class``: a :class:`~simulation.model.PhaseZeroModel` subclass to run instead of
    the model itself (recorded in the manifest). ``out`` may not hold a scenario file or any
    of ``inputs`` (the parameter-set file).
    """
    inputs = [*(s.path for s in scenarios if s.path), *inputs]
    check_writable_target(out, overwrite, inputs)
    order = [s.name for s in scenarios]
    runs, series = run_scenarios(scenarios, seeds, workers, progress=progress,
                                 param_sets=param_sets, model_class=model_class,
                                 set_ids=world_ids if param_sets else None)
    table, fits = survival_table(runs, order)
    horizon = int(runs["horizon_months"].max())
    manifest: dict[str, Any] = {
        "seed": seed, "model_class": model_class_name(model_class),
        "replicates": len(seeds), "run_seeds": list(seeds),
        "world_seeds": WORLD_SEEDS if param_sets else None,
        "scenarios": [{"name": s.name, "description": s.description,
                       "file": portable_path(s.path) if s.path else None, "overrides": s.overrides,
                       "parameters": s.params} for s in scenarios],
        # many worlds are recorded by their source, ids and a hash, not inline (1,000 worlds
        # would make a manifest of megabytes)
        "parameter_sets": (list(param_sets) if param_sets and len(param_sets) <= INLINE_SETS
                           else None),
        "parameter_sets_sha256": (hashlib.sha256(json.dumps(list(param_sets), sort_keys=True)
                                                 .encode()).hexdigest() if param_sets else None),
    }
    kept, per_set = series_plan(len(param_sets or [{}]), len(seeds))
    trajectories = ("lines: mean; bands: 10-90% of runs" if not param_sets and per_set == len(seeds)
                    else f"lines: mean; bands: 10-90% of the first {per_set} runs"
                    + (f" of each of {kept} worlds" if param_sets else ""))
    files: dict[str, Any] = {
        "runs.csv": runs, "runs.parquet": runs,
        "trajectories.png": lambda path: plot_trajectories(series, order, path, trajectories),
    }
    if not param_sets:
        files["comparison.csv"] = table
        files["comparison.md"] = (
            f"# Scenario comparison\n\n{len(seeds)} runs per scenario (same seeds for every "
            f"scenario; root seed {seed}); horizon {horizon} months.\n\n" + markdown_table(table))
        files["kaplan_meier.png"] = lambda path: plot_km(fits, order, path)
        write_results(out, files, manifest, overwrite=overwrite, inputs=inputs)
        return table
    from experiments.research import worlds

    ids = list(world_ids) if world_ids is not None else list(range(len(param_sets)))
    runs.insert(2, "world", runs["parameter_set"].map(dict(enumerate(ids))))
    times = worlds.world_times(runs)
    times.insert(2, "world", times["parameter_set"].map(dict(enumerate(ids))))
    summary = worlds.summarise_worlds(times, order)
    manifest.update({"worlds": len(param_sets), "runs_per_world": len(seeds),
                     "world_ids": ids, "parameter_sets_source": source})
    pooled = f"all {len(seeds)} runs of each of {len(param_sets)} worlds"
    files.update({
        "worlds.csv": summary, "comparison.csv": summary, "world_times.csv": times,
        "pooled_kaplan_meier.csv": table,
        "comparison.md": worlds.worlds_report(summary, seed, source),
        "kaplan_meier.png": lambda path: plot_km(fits, order, path, pooled),
        "rankings.csv": ranking_frequencies(runs, order),
        "pairwise.csv": pairwise_order_frequencies(runs, order, order[0]),
    })
    write_results(out, files, manifest, overwrite=overwrite, inputs=inputs)
    return summary


#: The calibration's ensemble of plausible worlds, one a row ('posterior').
ENSEMBLE = Path(__file__).resolve().parents[1] / "calibration" / "ensemble.csv"
#: What ``--parameter-sets`` accepts for the ensemble, and for the registry's defaults only.
POSTERIOR_NAMES = ("posterior", "accepted")
DEFAULTS_NAMES = ("defaults", "none", "")


def uses_defaults(spec: str | None) -> bool:
    """Whether ``--parameter-sets`` asks for no parameter sets (the registry's defaults)."""
    return (spec or "").strip().lower() in DEFAULTS_NAMES


def load_worlds(spec: str, limit: int | None = None) -> tuple[list[int], list[dict[str, Any]]]:
    """World ids and parameter sets from 'posterior' (alias 'accepted') or a CSV, one a row.

    'posterior' is the calibration's ensemble, :data:`ENSEMBLE`. Only columns named after a
    model parameter are used; a ``world`` column gives the ids (otherwise 0, 1, ...).
    ``limit`` keeps that many rows evenly spaced through the file (None or 0: all): the
    ensemble is resampled in the order of its weighted population, chain by chain, so its first
    rows would come from one chain only. 'defaults' gives no sets.
    """
    from experiments.support.outputs import UserError
    from simulation.parameters import REGISTRY, ParameterError, resolve

    if uses_defaults(spec):
        return [], []
    if limit is not None and limit < 0:
        raise UserError(f"--max-sets must be 0 (all) or more, got {limit}")
    posterior = spec.strip().lower() in POSTERIOR_NAMES
    path = ENSEMBLE if posterior else Path(spec)
    if not path.exists():
        hint = (" (the calibration's ensemble of plausible worlds: 'make calibrate' writes it; "
                "or pass --parameter-sets defaults to use the registry's defaults)"
                if posterior else "")
        raise UserError(f"parameter-set file '{portable_path(path)}' does not exist{hint}")
    if not path.is_file():
        raise UserError(f"parameter-set file '{portable_path(path)}' is not a regular file; give "
                        "the path of a CSV file")
    try:
        df = pd.read_csv(path)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        reason = ("it is not UTF-8 text" if isinstance(exc, UnicodeDecodeError)
                  else f"it is not a CSV table ({' '.join(str(exc).split())})")
        raise UserError(f"cannot read parameter-set file '{portable_path(path)}': "
                        f"{reason}") from None
    except OSError as exc:
        raise UserError(f"cannot read parameter-set file '{portable_path(path)}': "
                        f"{exc.strerror or exc}") from None
    cols = [c for c in df.columns if c in REGISTRY]
    if not cols:
        raise UserError(f"'{portable_path(path)}' has no column named after a model parameter")
    if df.empty:
        raise UserError(f"'{portable_path(path)}' has no rows (no parameter sets)")
    if limit and limit < len(df):
        df = df.iloc[np.unique(np.linspace(0, len(df) - 1, limit).round().astype(int))]
    ids = (df["world"].astype(int).tolist() if "world" in df.columns
           else list(range(len(df))))
    sets = [{c: (v.item() if hasattr(v, "item") else v) for c, v in row.items()}
            for row in df[cols].to_dict("records")]
    for row, values in enumerate(sets, start=2):
        try:  # checked like --set, so that a value is never silently rounded or cut
            resolve(values)
        except ParameterError as exc:
            raise UserError(f"parameter-set file '{portable_path(path)}', line {row}: "
                            f"{exc}") from None
    return ids, sets


def load_parameter_sets(spec: str, limit: int | None = None) -> list[dict[str, Any]]:
    """Parameter sets from 'posterior' / 'accepted' (the ensemble) or a CSV, one set a row.

    'defaults' (or 'none', '') gives none: the registry's defaults. See :func:`load_worlds`.
    """
    return load_worlds(spec, limit)[1]
