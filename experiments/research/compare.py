"""Compare scenarios: many replicates each, the same seeds for every scenario.

Writes, for both outcomes, a table (CSV and Markdown) of Kaplan-Meier medians with 95%
intervals, restricted mean time to the horizon, share censored and the probability of reaching
the outcome within 3, 5 and 10 years; Kaplan-Meier curves; trajectories with spread bands; the
per-run results; and a manifest recording parameters, seeds, code and package versions.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.research.survival import (
    REPORT_MONTHS,
    Survival,
    format_months,
    kaplan_meier,
)
from experiments.support.models import model_class_name
from experiments.support.outputs import check_writable_target, portable_path, write_results
from experiments.support.parallel import map_in_order
from experiments.support.scenarios import Scenario
from simulation import run_batch
from simulation.outcome_registry import HEADLINE
from simulation.outcome_registry import label as outcome_label

OUTCOMES = HEADLINE
TRAJECTORY_METRICS = ("trust_cbo_statutory", "symbolic", "relational", "material",
                      "engaged_share")
_CHUNK = 32


def common_seeds(seed: int, replicates: int, seed_set: int = 1) -> list[int]:
    """``replicates`` run seeds from one SeedSequence: the same for every scenario or row.

    ``seed_set`` 2, 3, ... give further, independent sets from the same root seed (to see how
    far results move with the seeds alone); set 1 is the root seed's own.
    """
    entropy = seed if seed_set == 1 else [seed, seed_set]
    words = np.random.SeedSequence(entropy).generate_state(replicates, dtype=np.uint32)
    return [int(w) for w in words]


def _run_chunk(params: dict[str, Any], seeds: list[int], metrics: tuple[str, ...],
               model_class: type | None = None
               ) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    results = run_batch(params, seeds, timeseries=bool(metrics), model_class=model_class)
    series = {m: np.stack([r.timeseries[m].to_numpy() for r in results]) for m in metrics}
    return [r.summary for r in results], series


def run_scenarios(scenarios: Sequence[Scenario], seeds: Sequence[int], workers: int = 1,
                  metrics: tuple[str, ...] = TRAJECTORY_METRICS, progress: bool = True,
                  param_sets: Sequence[dict[str, Any]] | None = None,
                  model_class: type | None = None,
                  ) -> tuple[pd.DataFrame, dict[str, dict[str, np.ndarray]]]:
    """Run every scenario on every seed (optionally for every extra parameter set).

    Returns a tidy table with one row a run, and per scenario the monthly series of ``metrics``
    (shape (runs, months + 1)). Results do not depend on ``workers``.
    """
    sets = list(param_sets) if param_sets else [{}]
    jobs = []
    for s in scenarios:
        for k, extra in enumerate(sets):
            # A parameter set fixes behaviour; the scenario's own settings (levers) win.
            params = {**extra, **s.overrides}
            for start in range(0, len(seeds), _CHUNK):
                jobs.append((s.name, k, start, params, list(seeds[start:start + _CHUNK])))
    outputs = map_in_order(_run_chunk, [(params, chunk, metrics, model_class)
                                        for *_, params, chunk in jobs],
                           [len(job[4]) for job in jobs], workers, progress, desc="scenarios")
    rows, series = [], {s.name: {m: [] for m in metrics} for s in scenarios}
    for (name, k, start, _, _), (summaries, chunk_series) in zip(jobs, outputs, strict=True):
        for j, summary in enumerate(summaries):
            rows.append({"scenario": name, "parameter_set": k, "replicate": start + j,
                         **summary})
        for m in metrics:
            series[name][m].append(chunk_series[m])
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
                 f"{r['rmst_months']:.1f}", f"{r['censored_share']:.0%}"]
        for m in REPORT_MONTHS:
            if f"p_by_{m}" in r:
                cells.append(f"{r[f'p_by_{m}']:.2f} ({r[f'p_by_{m}_low']:.2f}-"
                             f"{r[f'p_by_{m}_high']:.2f})")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot_km(fits: dict[tuple[str, str], Survival], order: Sequence[str], path: Path) -> None:
    """Kaplan-Meier curves: probability each outcome has been reached by each month."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 5), sharey=True, constrained_layout=True)
    colours = plt.get_cmap("tab10")
    for ax, outcome in zip(axes, OUTCOMES, strict=True):
        for i, name in enumerate(order):
            fit = fits[(name, outcome)]
            years = fit.months / 12
            label = name if fit.reached_curve[-1] > 0 else f"{name} (not reached)"
            ax.step(years, fit.reached_curve, where="post", color=colours(i), label=label)
            ax.fill_between(years, fit.reached_low, fit.reached_high, step="post",
                            color=colours(i), alpha=0.12)
        ax.set_title(outcome_label(outcome))
        ax.set_xlabel("years since the start of phase zero")
        ax.grid(alpha=0.3)
        ax.set_ylim(-0.02, 1.02)
    axes[0].set_ylabel("probability reached (Kaplan-Meier, 95% band)")
    for ax in axes:
        ax.legend(loc="upper left", fontsize=7)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_trajectories(series: dict[str, dict[str, np.ndarray]], order: Sequence[str],
                      path: Path) -> None:
    """Mean trajectories per scenario with 10-90% bands across runs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    titles = {"trust_cbo_statutory": "mean CBO trust toward statutory partners",
              "symbolic": "symbolic resources", "relational": "relational resources",
              "material": "material resources", "engaged_share": "engaged share of service users"}
    fig, axes = plt.subplots(len(TRAJECTORY_METRICS), 1, figsize=(9, 14), sharex=True,
                             constrained_layout=True)
    colours = plt.get_cmap("tab10")
    for ax, metric in zip(axes, TRAJECTORY_METRICS, strict=True):
        for i, name in enumerate(order):
            data = series[name][metric]
            years = np.arange(data.shape[1]) / 12
            ax.plot(years, data.mean(axis=0), color=colours(i), label=name)
            lo, hi = np.quantile(data, [0.1, 0.9], axis=0)
            ax.fill_between(years, lo, hi, color=colours(i), alpha=0.12)
        ax.set_title(titles[metric], fontsize=10)
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
    axes[0].legend(loc="upper left", fontsize=7, ncol=2)
    axes[-1].set_xlabel("years since the start of phase zero (lines: mean; bands: 10-90% of runs)")
    fig.savefig(path, dpi=110)
    plt.close(fig)


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
                     progress: bool = True, model_class: type | None = None) -> pd.DataFrame:
    """Run the comparison and write every output into ``out`` atomically; return the table.

    ``model_class``: a :class:`~simulation.model.PhaseZeroModel` subclass to run instead of
    the model itself (recorded in the manifest).
    """
    check_writable_target(out, overwrite)
    order = [s.name for s in scenarios]
    runs, series = run_scenarios(scenarios, seeds, workers, progress=progress,
                                 param_sets=param_sets, model_class=model_class)
    table, fits = survival_table(runs, order)
    manifest = {
        "seed": seed, "model_class": model_class_name(model_class),
        "replicates": len(seeds), "run_seeds": list(seeds),
        "scenarios": [{"name": s.name, "description": s.description,
                       "file": portable_path(s.path) if s.path else None, "overrides": s.overrides,
                       "parameters": s.params} for s in scenarios],
        "parameter_sets": list(param_sets) if param_sets else None,
    }
    files: dict[str, Any] = {
        "runs.csv": runs, "runs.parquet": runs, "comparison.csv": table,
        "comparison.md": f"# Scenario comparison\n\n{len(seeds)} runs per scenario"
        + (f" for each of {len(param_sets)} parameter sets" if param_sets else "")
        + f" (same seeds for every scenario; root seed {seed}); horizon "
        f"{int(runs['horizon_months'].iloc[0])} months.\n\n" + markdown_table(table),
        "kaplan_meier.png": lambda path: plot_km(fits, order, path),
        "trajectories.png": lambda path: plot_trajectories(series, order, path),
    }
    if param_sets:
        files["rankings.csv"] = ranking_frequencies(runs, order)
        files["pairwise.csv"] = pairwise_order_frequencies(runs, order, order[0])
    write_results(out, files, manifest, overwrite=overwrite)
    return table


def load_parameter_sets(spec: str, limit: int | None = None) -> list[dict[str, Any]]:
    """Parameter sets from 'accepted' (the calibration's) or a CSV file, one set a row."""
    from experiments.support.outputs import UserError

    path = (Path(__file__).resolve().parents[1] / "calibration" / "accepted.csv"
            if spec == "accepted" else Path(spec))
    if not path.exists():
        raise UserError(f"parameter-set file '{path}' does not exist")
    df = pd.read_csv(path)
    from simulation.parameters import REGISTRY

    cols = [c for c in df.columns if c in REGISTRY]
    if not cols:
        raise UserError(f"'{path}' has no column named after a model parameter")
    sets = [{c: (v.item() if hasattr(v, "item") else v) for c, v in row.items()}
            for row in df[cols].to_dict("records")]
    return sets[:limit] if limit else sets

