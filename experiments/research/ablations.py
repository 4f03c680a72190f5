"""Ablations: each mechanism switched off in turn, and what it does to both outcomes.

For the studied network (``tpn_baseline``, or another scenario), every mechanism in
:data:`ABLATIONS` is switched off by the parameter values listed for it, and the scenario is run
with common seeds on a long horizon. The table gives, for the end of phase zero and for
service-user engagement, the share of runs reached within the horizon and the median month
(censored runs count as the horizon), with and without the mechanism, and the difference of the
restricted mean times.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from experiments.research.survival import kaplan_meier
from experiments.support.parallel import map_in_order
from experiments.support.scenarios import load_scenario
from simulation import run_batch
from simulation.outcome_registry import HEADLINE, label

#: Mechanism -> (what switching it off means, the parameter values that do it).
ABLATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "the decision ends phase zero": (
        "phase zero ends by the threshold definition instead (a measurement option)",
        {"pz_by_threshold": True}),
    "commissioning rounds": (
        "rounds open every month (commissioning money always there)",
        {"commissioning_interval_months": 1.0}),
    "commissioned activities": (
        "no activity follows the decision", {"coproduction_activities": 0}),
    "activities heard in the host's space": (
        "members of a host CBO hear nothing more", {"activity_reach": 0.0}),
    "word of mouth": ("fellow members' engagement is not heard", {"word_of_mouth": 0.0}),
    "everyday harm": ("no everyday harmful encounters", {"everyday_harm_rate": 0.0}),
    "history of harm grows": ("harmful encounters leave history as it was", {"harm_growth": 0.0}),
    "senior champions come and go": (
        "the champion never leaves", {"champion_leave_rate": 0.0}),
    "funding shocks": ("no contract is cut short", {"funding_shock_rate": 0.0}),
    "solidarity grows": (
        "CBOs' trust in one another stays where it started", {"solidarity_gain": 0.0}),
    "solidarity as a collective voice": (
        "officials hear CBOs whatever their solidarity, no solidarity bonus to quality",
        {"solidarity_weight": 0.0, "solidarity_effect": 0.0}),
    "network differences": (
        "every run the same place: no statutory culture or community history",
        {"culture_spread": 0.0, "history_spread": 0.0}),
}

OUTCOMES = HEADLINE


def answers(params: dict[str, Any], seeds: Sequence[int], horizon: int) -> dict[str, float]:
    """P(reached within the horizon), median and restricted mean of both outcomes."""
    results = run_batch({**params, "horizon_months": horizon}, list(seeds))
    out: dict[str, float] = {}
    for key in OUTCOMES:
        months = np.array([r.summary[f"{key}_months"] if r.summary[f"{key}_months"] is not None
                           else horizon for r in results], float)
        censored = np.array([r.summary[f"{key}_censored"] for r in results])
        out[f"p_{key}"] = float(np.mean(~censored))
        out[f"median_{key}"] = float(np.median(months))
        out[f"rmst_{key}"] = float(kaplan_meier(months, censored, horizon).rmst)
    return out


def ablation_table(scenario: str, seeds: Sequence[int], horizon: int, workers: int,
                   progress: bool = True) -> pd.DataFrame:
    """One row for the scenario as it is, and one for each mechanism switched off."""
    base = dict(load_scenario(scenario).overrides)
    names = ["(none)", *ABLATIONS]
    jobs = [(base, tuple(seeds), horizon)]
    jobs += [({**base, **ABLATIONS[n][1]}, tuple(seeds), horizon) for n in ABLATIONS]
    rows = map_in_order(answers, jobs, [len(seeds)] * len(jobs), workers, progress,
                        desc="ablations")
    table = pd.DataFrame([{"mechanism_off": n, **r} for n, r in zip(names, rows, strict=True)])
    for key in OUTCOMES:
        table[f"rmst_change_{key}"] = table[f"rmst_{key}"] - table.loc[0, f"rmst_{key}"]
    table["how"] = ["as the scenario is", *(ABLATIONS[n][0] for n in ABLATIONS)]
    return table


def markdown(table: pd.DataFrame, scenario: str, runs: int, horizon: int) -> str:
    """The table for docs: both outcomes, with and without each mechanism."""
    lines = [
        f"Ablations of `{scenario}` ({runs} common-seed runs, {horizon}-month horizon; months "
        "are medians, censored runs counted at the horizon; change = restricted mean time "
        "without the mechanism minus with it).",
        "",
        "| mechanism switched off | how | "
        + " | ".join(f"{label(o)}: P, median, change" for o in OUTCOMES) + " |",
        "|---|---|---|---|",
    ]
    for row in table.itertuples():
        lines.append(
            f"| {row.mechanism_off} | {row.how} | {row.p_phase_zero:.2f}, "
            f"{row.median_phase_zero:.0f}, {row.rmst_change_phase_zero:+.0f} | "
            f"{row.p_engagement:.2f}, {row.median_engagement:.0f}, "
            f"{row.rmst_change_engagement:+.0f} |")
    return "\n".join(lines) + "\n"
