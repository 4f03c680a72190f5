"""The comparison's figures: Kaplan-Meier curves and trajectories with spread bands."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from experiments.research.survival import Survival
from simulation.outcome_registry import HEADLINE as OUTCOMES
from simulation.outcome_registry import label as outcome_label

TRAJECTORY_METRICS = ("trust_cbo_statutory", "symbolic", "relational", "material",
                      "engaged_share")


def plot_km(fits: dict[tuple[str, str], Survival], order: Sequence[str], path: Path,
            pooled: str | None = None) -> None:
    """Kaplan-Meier curves: probability each outcome has been reached by each month.

    ``pooled``: how the runs of many worlds were pooled, said in the figure's title (the band
    then shows run-to-run chance only, not the spread across worlds).
    """
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
    axes[0].set_ylabel(("share of pooled runs" if pooled else "probability")
                       + " reached (Kaplan-Meier, 95% band)")
    if pooled:
        fig.suptitle(f"Pooled Kaplan-Meier curves ({pooled}): run-to-run chance only, not the "
                     "spread across worlds", fontsize=10)
    for ax in axes:
        ax.legend(loc="upper left", fontsize=7)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_trajectories(series: dict[str, dict[str, np.ndarray]], order: Sequence[str],
                      path: Path, bands: str = "lines: mean; bands: 10-90% of runs") -> None:
    """Mean trajectories per scenario with 10-90% bands across runs (``bands`` says which)."""
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
    axes[-1].set_xlabel(f"years since the start of phase zero ({bands})")
    fig.savefig(path, dpi=110)
    plt.close(fig)
