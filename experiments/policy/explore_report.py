"""What the funding explorer writes for people: the runway in words, notes, heatmaps, a figure.

Every share here is a share of plausible worlds (each world's time the median of its runs; see
:mod:`experiments.research.worlds`), not a probability of the future.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.policy.regimes import MIN_WORLDS, REGIMES, RUNWAYS, TARGET, Regime
from experiments.research.worlds import whole_years
from simulation.outcome_registry import label as outcome_label

#: The per-world tables' columns, in order (read by other tools: keep them).
GRID_WORLD_COLUMNS = ["core_funding", "kpi_tied", "contract_months", "contract_gap_months",
                      "world", "outcome", "time_months", "censored"]
RUNWAY_WORLD_COLUMNS = ["regime", "runway_months", "world", "outcome", "time_months", "censored"]

#: What a gap between contracts does in the model (simulation/funding.py, contracts.py).
GAPS = (
    "Gaps between contracts. A contract that ends without renewal (a KPI-tied one is renewed "
    "with a probability equal to the attendance it counted as a share of its target, a "
    "flexible one on the relationships built), or that a funding shock cuts short, leaves the "
    "broker without project money for the gap (contract_gap_months): the broker is paid only "
    "what core funding covers (nothing without it, working on only as far as persistence "
    "carries), CBOs are paid less, and KPI pressure is zero, because the model puts KPI "
    "pressure only on KPI-tied project money in hand (softened by independent core funding). A "
    "gap under KPI-tied contracts thus relieves the pressure on meeting quality and the "
    "harmful recruitment to targets for its months, at the cost of money; the next contract "
    "counts attendance afresh."
)


def runway_words(row: Any, horizon: int) -> str:
    """A regime's minimum runway in plain words (``row`` is a row of the minimum table).

    The minimum is the first runway tried that meets the target, so it is given as the span
    from the runway tried before it.
    """
    if bool(getattr(row, "too_few_worlds", False)):
        return "too few worlds for a verdict"
    if row.minimum_runway_months is None or pd.isna(row.minimum_runway_months):
        return f"not reached (even {row.at_runway_months} months is not enough)"
    m = int(row.minimum_runway_months)
    if m == 0:
        return "none needed"
    if m >= horizon:
        return (f"all {horizon} months ({horizon / 12:g} years): only if these terms do not "
                "start within the horizon")
    before = getattr(row, "previous_runway_months", None)
    if before is None or pd.isna(before):
        before = max([r for r in RUNWAYS if r < m], default=0)
    need = f"between {int(before)} and {m} months"
    if not row.holds_for_longer_runways:
        need += " (but not at every longer runway tried)"
    return need


def _worlds_line(n_worlds: int, runs: int) -> str:
    return (f"{n_worlds} plausible world{'' if n_worlds == 1 else 's'} (each world's time is "
            f"the median of its {runs} run{'' if runs == 1 else 's'})")


def plain_words(minimum: pd.DataFrame, curves: pd.DataFrame, within: int, scenario: str,
                n_worlds: int, runs_per_world: int, horizon: int, total_runs: int,
                regimes: Sequence[Regime] = REGIMES) -> str:
    """The commissioner's table, in plain words (Markdown)."""
    years = within / 12
    runways = sorted(int(r) for r in curves["runway_months"].unique())
    lines = [
        f"# Minimum runway of flexible funding ({scenario})",
        "",
        f"How many months of guaranteed, flexible funding (the broker fully funded, not tied to "
        f"KPIs, no gaps) a new network needs from the start, before the funding below takes "
        f"over, so that service users come to take part within {years:g} years in at least "
        f"{TARGET:.0%} of {_worlds_line(n_worlds, runs_per_world)}.",
        "",
        f"This rests on {n_worlds} world{'' if n_worlds == 1 else 's'} x {runs_per_world} "
        f"run{'' if runs_per_world == 1 else 's'} for each of {len(regimes)} funding regimes "
        f"and {len(runways)} runways: {total_runs} runs in all, each to a horizon of {horizon} "
        f"months ({horizon / 12:g} years). A world is one parameter set that fits the evidence; "
        "the percentages are shares of those worlds, not probabilities of the future. A world "
        "in which half or more of its runs do not reach engagement within the horizon counts "
        "as not within.",
        "",
        f"Runways tried: {', '.join(str(r) for r in runways)} months; the minimum is the first "
        "of these at which the target is met, so the true minimum lies between it and the "
        "runway tried before it.",
        "",
    ]
    if bool(minimum["too_few_worlds"].any()):
        lines += [f"**Too few worlds for a verdict**: {n_worlds} world"
                  f"{'' if n_worlds == 1 else 's'}, fewer than the {MIN_WORLDS} a verdict needs. "
                  "The shares below describe these worlds only.", ""]
    else:
        lines += ["| funding once the runway ends | minimum runway | share of worlds with "
                  f"engagement within {years:g} years at that runway |", "|---|---|---|"]
        for row in minimum.itertuples():
            lines.append(f"| {row.funding} | {runway_words(row, horizon)} | "
                         f"{row.share_engagement:.0%} (at {row.at_runway_months} months) |")
        lines.append("")
    header = ["funding once the runway ends"] + [str(r) for r in runways]
    lines += [f"Share of worlds with engagement within {years:g} years, by runway (months):",
              "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for regime in regimes:
        c = curves[curves.regime == regime.key].set_index("runway_months")["share_engagement"]
        lines.append("| " + " | ".join([regime.words] + [f"{c.get(r, np.nan):.0%}"
                                                         for r in runways]) + " |")
    lines += [
        "",
        GAPS,
        "",
        "How to read it. The runway is money the broker can spend on meetings in community "
        "venues, on paying community organisations and on building relationships, without "
        "reporting against targets. It is not a target for the network: no new KPI is "
        f"proposed. 'Not reached' means that no runway tried (up to {max(runways)} months) "
        f"brings engagement within {years:g} years in {TARGET:.0%} of the worlds: under those "
        "terms, what the money funds later undoes what the runway built, or does not let it "
        "start in time.",
        "",
        "Limits. A simulation built on one qualitative study (Burgess and Choudary 2021): an "
        "aid to thinking about what phase zero needs, not a forecast for any real network.",
    ]
    return "\n".join(lines) + "\n"


def grid_note(grid: pd.DataFrame, scenario: str) -> str:
    """``funding_grid.md``: what the grid's columns are, and what a gap does."""
    first = grid.iloc[0]
    n, r, h = int(first["worlds"]), int(first["runs_per_world"]), int(first["horizon_months"])
    return (
        f"# Funding grid ({scenario})\n\n"
        f"Every combination of contract length, KPI-tied or flexible contracts, the gap between "
        f"contracts and core funding on or off, in {_worlds_line(n, r)}, to a horizon of {h} "
        f"months ({h / 12:g} years).\n\n"
        "funding_grid.csv, per cell and outcome: worlds, runs_per_world, share_within_M (the "
        "share of worlds whose time is within M months: 60, 120, 180, 360 are 5, 10, 15 and 30 "
        "years; empty past the horizon), share_beyond_horizon, and pQ_months (the Q-th "
        "percentile of the world times; empty, with pQ_beyond_horizon true, when it falls among "
        "worlds beyond the horizon). grid_worlds.csv holds each world's time (empty and "
        "censored when half or more of its runs did not reach the outcome). These are shares "
        "of plausible worlds, not probabilities of the future.\n\n" + GAPS + "\n")


_PANELS = [(True, False, "core funding + flexible contracts"),
           (True, True, "core funding + KPI-tied contracts"),
           (False, False, "no core funding, flexible contracts"),
           (False, True, "no core funding, KPI-tied contracts")]


def heatmaps(grid: pd.DataFrame, outcome: str, path: Path, scenario: str) -> None:
    """Per regime panel: the share of worlds within the horizon, and the median world time."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    g = grid[grid.outcome == outcome].copy()
    horizon = int(g["horizon_months"].max())
    hy = f"{horizon / 12:g}"
    g["share"] = 1.0 - g["share_beyond_horizon"]
    g["median"] = np.where(g["p50_beyond_horizon"].astype(bool), horizon,
                           g["p50_months"].astype(float))
    g["beyond"] = g["p50_beyond_horizon"].astype(bool)
    rows = [("share", f"share of worlds within {hy} years", "viridis", 1.0),
            ("median", "median world time (years)", "magma_r", horizon)]
    fig, axes = plt.subplots(len(rows), len(_PANELS), figsize=(15, 7.5),
                             constrained_layout=True, sharex=True, sharey=True, squeeze=False)
    for i, (metric, what, cmap, top) in enumerate(rows):
        for j, (core, kpi, title) in enumerate(_PANELS):
            ax = axes[i, j]
            cell = g[(g.core_funding == core) & (g.kpi_tied == kpi)]
            mat = cell.pivot(index="contract_gap_months", columns="contract_months",
                             values=metric).sort_index()
            beyond = cell.pivot(index="contract_gap_months", columns="contract_months",
                                values="beyond").sort_index()
            im = ax.imshow(mat.to_numpy(), origin="lower", aspect="auto", cmap=cmap,
                           vmin=0, vmax=top)
            for (a, b), v in np.ndenumerate(mat.to_numpy()):
                if metric == "share":
                    text, dark = f"{v:.0%}", v > 0.55
                else:
                    text = f"> {hy} y" if beyond.to_numpy()[a, b] else f"{whole_years(v)} y"
                    dark = v < 0.6 * horizon
                ax.text(b, a, text, ha="center", va="center", fontsize=8,
                        color="black" if dark else "white")
            ax.set_xticks(range(len(mat.columns)), [str(c) for c in mat.columns])
            ax.set_yticks(range(len(mat.index)), [str(c) for c in mat.index])
            if i == 0:
                ax.set_title(title, fontsize=10)
            if i == len(rows) - 1:
                ax.set_xlabel("contract length (months)")
            if j == 0:
                ax.set_ylabel(f"{what}\n\ngap between contracts (months)", fontsize=9)
        bar = fig.colorbar(im, ax=axes[i, :], shrink=0.85, label=what)
        if metric == "median":
            ticks = np.arange(0, horizon + 1, 60 if horizon > 120 else 12)
            bar.set_ticks(ticks, labels=[f"{t / 12:g}" for t in ticks])
    first = g.iloc[0]
    fig.suptitle(f"{outcome_label(outcome).capitalize()}: funding terms, from {scenario}, over "
                 f"{int(first['worlds'])} plausible worlds (each world's time the median of its "
                 f"{int(first['runs_per_world'])} runs)", fontsize=12)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def runway_figure(curves: pd.DataFrame, within: int, path: Path,
                  regimes: Sequence[Regime] = REGIMES) -> None:
    """The share of worlds with engagement within ``within`` months, by runway and regime."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5), constrained_layout=True)
    for regime in regimes:
        c = curves[curves.regime == regime.key]
        ax.plot(c.runway_months, c.share_engagement, marker="o", ms=3, label=regime.words)
    ax.axhline(TARGET, color="0.3", ls="--", lw=1)
    ax.text(0, TARGET + 0.01, f"target: {TARGET:.0%} of worlds", fontsize=8, va="bottom")
    n = int(curves["worlds"].min()) if len(curves) else 0
    ax.set(xlabel="months of guaranteed flexible funding from the start (runway)",
           ylabel=f"share of {n} worlds with engagement within {within / 12:g} years",
           ylim=(0, 1.02))
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    ax.set_title("How long the runway must be, by what funding follows it", fontsize=11)
    fig.savefig(path, dpi=110)
    plt.close(fig)
