"""The funding-cycle explorer: what funding regimes do to phase zero, and the minimum runway.

``phase0 explore funding`` runs two designs on the sweep engine (resumable, reproducible, one
compiled batch per chunk), both over the calibration's accepted parameter sets so that the
answers carry the model's parameter uncertainty:

1. a grid over contract length, KPI-tied versus flexible, the gap between contracts and core
   funding on or off, from a scenario (``new_network`` by default: the paper's question is how
   long a *new* network needs). It gives the probability of reaching each outcome within 3, 5
   and 10 years and the restricted mean time, as heatmaps and a table;
2. the minimum runway: ``r`` months of guaranteed flexible funding from month 0, after which a
   funding regime takes over (``flexible_runway_months``). For each regime, the smallest ``r``
   whose lower 95% (Wilson) bound on the probability of service-user engagement within the
   horizon is at least 0.8.

The paper's message is about process, not targets ("a focus on outcomes, should be exchanged for a
focus on process"), so the plain-words table proposes no new KPI: it says how long, and on what
terms, the money has to be there.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.policy.discover import Target
from experiments.research.survival import wilson_interval
from experiments.research.sweep.storage import remove_sweep
from experiments.support.outputs import UserError, check_writable_target, write_results
from experiments.support.scenarios import load_scenario
from simulation.outcome_registry import HEADLINE
from simulation.outcome_registry import label as outcome_label

#: The grid of funding terms (months, flags).
CONTRACT_MONTHS = (6, 12, 24, 36, 48, 60)
GAP_MONTHS = (0, 3, 6, 12)
WITHIN_YEARS = (3, 5, 10)
#: Months of flexible runway tried for the minimum runway.
RUNWAYS = (0, 6, 12, 18, 24, 30, 36, 48, 60, 72, 84, 96, 120, 144, 180)
TARGET = 0.8


@dataclass(frozen=True)
class Regime:
    """A funding regime: what the money looks like once any runway is over."""

    key: str
    words: str
    core_funding: bool
    kpi_tied: bool
    contract_months: int
    contract_gap_months: int

    def parameters(self) -> dict[str, Any]:
        """The regime as registry parameters."""
        return {"core_funding": self.core_funding, "kpi_tied": self.kpi_tied,
                "contract_months": self.contract_months,
                "contract_gap_months": self.contract_gap_months}


REGIMES = (
    Regime("kpi12", "12-month KPI-tied contracts, 3-month gaps, no core funding",
           False, True, 12, 3),
    Regime("flex12", "12-month flexible contracts, 3-month gaps, no core funding",
           False, False, 12, 3),
    Regime("kpi36", "36-month KPI-tied contracts, 3-month gaps, no core funding",
           False, True, 36, 3),
    Regime("flex36", "36-month flexible contracts, 3-month gaps, no core funding",
           False, False, 36, 3),
    Regime("core_kpi12", "core funding, with 12-month KPI-tied contracts", True, True, 12, 3),
    Regime("core_flex36", "core funding, with 36-month flexible contracts (as the studied "
           "network)", True, False, 36, 3),
)



def _sets_table(parameter_sets: str, max_sets: int) -> pd.DataFrame:
    """The parameter sets as a table (one empty-column row for 'defaults' / 'none')."""
    from experiments.research.compare import load_parameter_sets, uses_defaults

    if uses_defaults(parameter_sets):
        return pd.DataFrame(index=[0])

    sets = load_parameter_sets(parameter_sets, max_sets or None)
    return pd.DataFrame(sets)


def _cross(settings: pd.DataFrame, sets: pd.DataFrame) -> pd.DataFrame:
    """Every row of ``settings`` under every parameter set (settings vary slowest)."""
    left = settings.reset_index(drop=True)
    if sets.columns.empty:
        return left.astype(float)
    out = left.loc[left.index.repeat(len(sets))].reset_index(drop=True)
    tiled = pd.concat([sets] * len(left), ignore_index=True)
    return pd.concat([out, tiled], axis=1).astype(float)


def grid_design(sets: pd.DataFrame) -> pd.DataFrame:
    """The funding grid crossed with the parameter sets."""
    cells = pd.DataFrame(list(itertools.product(CONTRACT_MONTHS, (0, 1), GAP_MONTHS, (0, 1))),
                         columns=["contract_months", "kpi_tied", "contract_gap_months",
                                  "core_funding"])
    return _cross(cells, sets)


def runway_design(sets: pd.DataFrame, runways: Sequence[int] = RUNWAYS) -> pd.DataFrame:
    """Every regime at every runway length, crossed with the parameter sets."""
    rows = [{**{k: float(v) for k, v in r.parameters().items()},
             "flexible_runway_months": float(m)} for r in REGIMES for m in runways]
    return _cross(pd.DataFrame(rows), sets)


def _run(work: Path, table: pd.DataFrame, scenario: str, replicates: int, seed: int,
         workers: int, progress: bool) -> pd.DataFrame:
    """Run (or resume) one table design on the sweep engine; its per-run results."""
    from experiments.research.sweep.run import new_sweep, run_sweep

    folder, planned = new_sweep(work, method="table", n=0, replicates=replicates, seed=seed,
                                params=None, scenario=scenario, model=None, problem_file=None,
                                second_order=False, levels=4, values=None, chunk_rows=None,
                                table=table)
    try:
        report = run_sweep(folder, planned, resume=True, workers=workers, scheduler=None,
                           shard=None, progress=progress)
    except UserError as exc:
        raise UserError(f"{exc} (the explorer's settings changed: pass --fresh to start its "
                        "sweeps again)") from None
    runs = pd.read_parquet(work / "results.parquet")
    runs.attrs["executed"] = report["runs"]
    return runs


def _reached_within(runs: pd.DataFrame, outcome: str, months: float) -> pd.Series:
    """Whether each run reached ``outcome`` by ``months`` (a censored run never did)."""
    met = Target(f"{outcome}_months", "<=", months).evaluate(runs)
    return pd.Series(met, index=runs.index)


def summarise_grid(runs: pd.DataFrame) -> pd.DataFrame:
    """Per grid cell and outcome: probabilities within 3, 5, 10 years (Wilson 95%) and RMST."""
    keys = ["core_funding", "kpi_tied", "contract_months", "contract_gap_months"]
    out = []
    h = runs["horizon_months"].astype(float)
    for outcome in HEADLINE:
        t = runs[f"{outcome}_months"].astype("Float64").fillna(h).astype(float).clip(upper=h)
        frame = runs[keys].copy()
        frame["t"] = t
        for years in WITHIN_YEARS:
            frame[f"y{years}"] = _reached_within(runs, outcome, 12 * years).astype(float)
        for cell, g in frame.groupby(keys, sort=True):
            rec = dict(zip(keys, cell, strict=True))
            rec.update(outcome=outcome, runs=len(g), rmst_months=float(g["t"].mean()))
            for years in WITHIN_YEARS:
                k = int(g[f"y{years}"].sum())
                lo, hi = wilson_interval(k, len(g))
                rec.update({f"p_within_{years}y": k / len(g), f"p_within_{years}y_lo": lo,
                            f"p_within_{years}y_hi": hi})
            out.append(rec)
    df = pd.DataFrame(out)
    for col in ("core_funding", "kpi_tied"):
        df[col] = df[col].astype(bool)
    for col in ("contract_months", "contract_gap_months"):
        df[col] = df[col].astype(int)
    return df


def summarise_runway(runs: pd.DataFrame, within: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """P(engagement within ``within`` months) by regime and runway, and each regime's minimum."""
    reached = _reached_within(runs, "engagement", within)
    pz = _reached_within(runs, "phase_zero", within)
    curves = []
    for regime in REGIMES:
        mask = np.ones(len(runs), bool)
        for k, v in regime.parameters().items():
            mask &= runs[k].to_numpy() == float(v)
        sub = runs[mask]
        for r, g in sub.groupby("flexible_runway_months", sort=True):
            k = int(reached[g.index].sum())
            lo, hi = wilson_interval(k, len(g))
            curves.append({"regime": regime.key, "runway_months": int(r), "runs": len(g),
                           "p_engagement": k / len(g), "p_lo": lo, "p_hi": hi,
                           "p_phase_zero": float(pz[g.index].mean())})
    curves_df = pd.DataFrame(curves)
    minimum = []
    for regime in REGIMES:
        c = curves_df[curves_df.regime == regime.key]
        ok = c[c.p_lo >= TARGET]
        r_min = int(ok.runway_months.min()) if len(ok) else None
        # the probability need not rise with the runway: say whether every longer one tried
        # also meets the target
        holds = bool(r_min is not None and (c[c.runway_months >= r_min].p_lo >= TARGET).all())
        row = c[c.runway_months == r_min].iloc[0] if r_min is not None else c.iloc[-1]
        minimum.append({"regime": regime.key, "funding": regime.words,
                        "minimum_runway_months": r_min, "holds_for_longer_runways": holds,
                        "p_engagement": float(row.p_engagement), "p_lo": float(row.p_lo),
                        "p_hi": float(row.p_hi), "at_runway_months": int(row.runway_months),
                        "runs": int(row.runs)})
    return curves_df, pd.DataFrame(minimum)


def runway_words(row: Any, horizon: int) -> str:
    """A regime's minimum runway in plain words (``row`` is a row of the minimum table)."""
    if row.minimum_runway_months is None or pd.isna(row.minimum_runway_months):
        return f"not reached (even {row.at_runway_months} months is not enough)"
    m = int(row.minimum_runway_months)
    if m == 0:
        return "none needed"
    if m >= horizon:
        return (f"all {horizon} months ({horizon / 12:g} years): only if these terms never start "
                "within the horizon")
    need = f"{m} months ({m / 12:.1f} years)"
    if not row.holds_for_longer_runways:
        need += " (but not at every longer runway tried)"
    return need


def plain_words(minimum: pd.DataFrame, within: int, scenario: str, n_sets: int,
                replicates: int, horizon: int = 180) -> str:
    """The commissioner's table, in plain words (Markdown)."""
    years = within / 12
    lines = [
        f"# Minimum runway of flexible funding ({scenario})",
        "",
        f"How many months of guaranteed, flexible funding (the broker fully funded, not tied to "
        f"KPIs, no gaps) a new network needs from the start, before the funding below takes "
        f"over, so that service users come to take part within {years:g} years in at least "
        f"{TARGET:.0%} of simulated futures (lower 95% bound), over {n_sets} calibrated "
        f"parameter sets x {replicates} runs each.",
        "",
        f"Runways tried: {', '.join(str(r) for r in RUNWAYS)} months; the minimum is the "
        "first of these that meets the target, so the true minimum lies between it and the "
        "runway tried before it.",
        "",
        "| funding once the runway ends | minimum runway | chance of engagement within "
        f"{years:g} years at that runway (95% CI) |",
        "|---|---|---|",
    ]
    for row in minimum.itertuples():
        lines.append(f"| {row.funding} | {runway_words(row, horizon)} | {row.p_engagement:.0%} "
                     f"({row.p_lo:.0%} to {row.p_hi:.0%}) |")
    lines += [
        "",
        "How to read it. The runway is money the broker can spend on meetings in community "
        "venues, on paying community organisations and on building relationships, without "
        "reporting against targets. It is not a target for the network: no new KPI is "
        "proposed. 'Not reached' means that no runway tried (up to 15 years) makes engagement "
        "likely enough: under those terms, what the money funds later undoes what the runway "
        "built, or never lets it start.",
        "",
        "Limits. A simulation built on one qualitative study (Burgess and Choudary 2021): an "
        "aid to thinking about what phase zero needs, not a forecast for any real network.",
    ]
    return "\n".join(lines) + "\n"


def _heatmaps(grid: pd.DataFrame, outcome: str, path: Path, scenario: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    g = grid[grid.outcome == outcome]
    regimes = [(True, False, "core funding + flexible contracts"),
               (True, True, "core funding + KPI-tied contracts"),
               (False, False, "no core funding, flexible contracts"),
               (False, True, "no core funding, KPI-tied contracts")]
    metrics = [(f"p_within_{y}y", f"P(reached within {y} years)") for y in WITHIN_YEARS]
    metrics.append(("rmst_months", "restricted mean months"))
    fig, axes = plt.subplots(len(metrics), len(regimes), figsize=(15, 12.5),
                             constrained_layout=True, sharex=True, sharey=True)
    horizon = float(g["rmst_months"].max()) if len(g) else 180.0
    for i, (metric, label) in enumerate(metrics):
        is_p = metric.startswith("p_")
        for j, (core, kpi, title) in enumerate(regimes):
            ax = axes[i, j]
            cell = g[(g.core_funding == core) & (g.kpi_tied == kpi)]
            mat = cell.pivot(index="contract_gap_months", columns="contract_months",
                             values=metric).sort_index()
            im = ax.imshow(mat.to_numpy(), origin="lower", aspect="auto",
                           cmap="viridis" if is_p else "magma_r",
                           vmin=0, vmax=1 if is_p else max(horizon, 1))
            for (a, b), v in np.ndenumerate(mat.to_numpy()):
                dark = v > 0.55 if is_p else v < 0.6 * horizon
                ax.text(b, a, f"{v:.2f}" if is_p else f"{v:.0f}", ha="center", va="center",
                        fontsize=7, color="black" if dark else "white")
            ax.set_xticks(range(len(mat.columns)), [str(c) for c in mat.columns])
            ax.set_yticks(range(len(mat.index)), [str(c) for c in mat.index])
            if i == 0:
                ax.set_title(title, fontsize=10)
            if i == len(metrics) - 1:
                ax.set_xlabel("contract length (months)")
            if j == 0:
                ax.set_ylabel(f"{label}\n\ngap between contracts (months)", fontsize=9)
        fig.colorbar(im, ax=axes[i, :], shrink=0.85, label=label)
    fig.suptitle(f"{outcome_label(outcome).capitalize()}: funding terms, from {scenario} "
                 "(over calibrated parameter sets)", fontsize=12)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _runway_figure(curves: pd.DataFrame, within: int, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5), constrained_layout=True)
    for regime in REGIMES:
        c = curves[curves.regime == regime.key]
        line, = ax.plot(c.runway_months, c.p_engagement, marker="o", ms=3, label=regime.words)
        ax.fill_between(c.runway_months, c.p_lo, c.p_hi, color=line.get_color(), alpha=0.15)
    ax.axhline(TARGET, color="0.3", ls="--", lw=1)
    ax.text(0, TARGET + 0.01, f"target: lower 95% bound >= {TARGET}", fontsize=8, va="bottom")
    ax.set(xlabel="months of guaranteed flexible funding from the start (runway)",
           ylabel=f"P(service users engage within {within / 12:g} years)", ylim=(0, 1.02))
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    ax.set_title("How long the runway must be, by what funding follows it", fontsize=11)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def explore_funding(out: Path, *, scenario: str = "new_network", replicates: int = 2,
                    parameter_sets: str = "accepted", max_sets: int = 100,
                    within: int | None = None,
                    workers: int = 1, seed: int = 2012, work: Path | None = None,
                    overwrite: bool = False, fresh: bool = False,
                    progress: bool = True) -> dict[str, Any]:
    """Run the funding grid and the runway design, and write tables and figures into ``out``.

    The sweeps live in ``work`` (default ``sweeps/explore_funding``): an interrupted explorer
    resumes them, a finished one reuses them; ``fresh`` deletes them first. ``overwrite``
    replaces the output folder.
    """
    started = time.perf_counter()
    if replicates < 1:
        raise UserError(f"--replicates must be at least 1, got {replicates}")
    sc = load_scenario(scenario)
    horizon = int(sc.params["horizon_months"])
    within = horizon if within is None else within
    if not 1 <= within <= horizon:
        raise UserError(f"--within must be in [1, {horizon}] months (the horizon), got {within}")
    check_writable_target(out, overwrite)
    sets = _sets_table(parameter_sets, max_sets)
    work = work or Path("sweeps") / "explore_funding"
    if fresh:
        for part in ("grid", "runway"):
            remove_sweep(work / part)
    scenario_arg = str(sc.path) if sc.path else scenario
    grid_runs = _run(work / "grid", grid_design(sets), scenario_arg, replicates, seed, workers,
                     progress)
    runway_runs = _run(work / "runway", runway_design(sets), scenario_arg, replicates, seed,
                       workers, progress)
    grid = summarise_grid(grid_runs)
    curves, minimum = summarise_runway(runway_runs, within)
    n_sets = 1 if sets.columns.empty else len(sets)
    record = {"scenario": sc.name, "replicates": replicates, "parameter_sets": parameter_sets,
              "sets": n_sets, "within_months": within, "target": TARGET, "seed": seed,
              "grid_runs": len(grid_runs), "runway_runs": len(runway_runs),
              "runs_executed_now": grid_runs.attrs["executed"] + runway_runs.attrs["executed"],
              "regimes": [r.__dict__ for r in REGIMES], "runways": list(RUNWAYS),
              "contract_months": list(CONTRACT_MONTHS), "gap_months": list(GAP_MONTHS),
              "base_parameters": sc.params, "sweeps": str(work),
              "seconds": round(time.perf_counter() - started, 1)}
    write_results(out, {
        "funding_grid.csv": grid, "runway_curves.csv": curves, "minimum_runway.csv": minimum,
        "minimum_runway.md": plain_words(minimum, within, sc.name, n_sets, replicates, horizon),
        **{f"heatmap_{o}.png": (lambda path, o=o: _heatmaps(grid, o, path, sc.name))
           for o in HEADLINE},
        "runway.png": lambda path: _runway_figure(curves, within, path),
    }, record, overwrite=overwrite)
    return {"minimum": minimum, "grid": grid, "curves": curves, "record": record}
