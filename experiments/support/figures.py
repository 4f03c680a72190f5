"""Figures of single runs."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from simulation.outcome_registry import HEADLINE, OUTCOMES  # noqa: E402


def plot_run(ts: pd.DataFrame, summary: Mapping[str, Any], path: Path, title: str = "") -> None:
    """Trust, resources and engaged share over time, with both outcomes marked; saved as PNG."""
    fig, axes = plt.subplots(3, 1, figsize=(8, 9), sharex=True, constrained_layout=True)
    years = ts["month"] / 12.0
    ax = axes[0]
    for col, label in [("trust_cbo_statutory", "CBOs → statutory partners"),
                       ("recognition", "statutory recognition of CBOs"),
                       ("trust_cbo_broker", "CBOs → broker"),
                       ("trust_cbo_cbo", "CBOs → CBOs (solidarity)"),
                       ("senior_endorsement", "senior endorsement")]:
        ax.plot(years, ts[col], label=label)
    ax.set_ylabel("trust / index")
    ax.set_title(title or "Phase zero: one run")
    ax = axes[1]
    for col, label in [("symbolic", "symbolic resources"), ("relational", "relational resources"),
                       ("material", "material resources"),
                       ("acknowledgement", "acknowledgement of harm")]:
        ax.plot(years, ts[col], label=label)
    ax.fill_between(years, 0, 1, where=ts["project_funded"] < 0.5, step="mid", color="0.85",
                    label="gap in project funding", zorder=0)
    ax.set_ylabel("index")
    ax = axes[2]
    ax.plot(years, ts["engaged_share"], color="k", label="all service users")
    ax.plot(years, ts["engaged_share_linked"], ls="--", label="members of a CBO")
    ax.plot(years, ts["engaged_share_unlinked"], ls=":", label="no CBO link")
    ax.set_ylabel("engaged share")
    ax.set_xlabel("years since the start of phase zero")
    for ax in axes:
        ax.set_ylim(-0.02, 1.02)
        for o in (OUTCOMES[k] for k in HEADLINE):
            month = summary.get(o.column)
            if month is not None:
                ax.axvline(month / 12.0, color=o.colour, lw=1.5, ls="-.")
        ax.grid(alpha=0.3)
    for o in (OUTCOMES[k] for k in HEADLINE):
        month = summary.get(o.column)
        text = f"{o.label}: month {month}" if month is not None else f"{o.label}: not reached"
        axes[2].plot([], [], color=o.colour, ls="-.", label=text)
    for ax in axes:
        ax.legend(loc="upper left", fontsize=8, framealpha=0.9)
    fig.savefig(path, dpi=120)
    plt.close(fig)
