"""The lesson's numbers over the plausible worlds.

The class plays single runs at the registry's defaults, and the lesson's figures show 50 runs of
those defaults: one parameter set. The numbers the lesson quotes as answers ("phase zero ends
within five years", "the incident costs about three years") are instead given over the
calibration's ensemble of plausible worlds, like every answer of ``phase0 compare``: each world
runs each exercise's setting a few times on its own seeds (the same for every setting), a
world's time is the median of its
runs (:func:`experiments.research.worlds.world_time`), and the table gives the share of worlds
within 5, 10, 15 and 30 years and the spread of the worlds' times.

``phase0 lessons`` writes the result beside the figures (``worlds.csv``, ``worlds.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from experiments.research.compare import common_seeds, load_worlds, run_scenarios
from experiments.research.worlds import (
    WORLD_HORIZON,
    format_year_range,
    format_years,
    summarise_worlds,
    time_values,
    world_times,
)
from experiments.support.scenarios import Scenario, load_scenario
from experiments.teaching.lessons import teaching_parameters
from simulation.outcome_registry import HEADLINE
from simulation.outcome_registry import label as outcome_label

#: Runs of each world in each setting: the issue's floor, as in ``phase0 compare``.
RUNS_PER_WORLD = 8


@dataclass(frozen=True)
class LessonSetting:
    """One setting an exercise asks the class to try, as the dashboard sets it."""

    key: str
    exercise: int
    label: str
    scenario: str
    choices: dict[str, str] = field(default_factory=dict)
    #: Values set beside the dashboard's controls (a behaviour parameter, so every world gets it).
    extra: dict[str, Any] = field(default_factory=dict)

    def as_scenario(self, horizon: int) -> Scenario:
        """The setting as a scenario whose overrides are only what the setting changes.

        A world supplies the behaviour parameters, so the overrides must not carry the
        registry's defaults of them: only the scenario's own values, the dashboard's choices
        and ``extra``.
        """
        base = load_scenario(self.scenario)
        chosen = teaching_parameters(self.scenario, self.choices)
        changed = {k: v for k, v in chosen.items() if base.params.get(k) != v}
        overrides = {**base.overrides, **changed, **self.extra, "horizon_months": horizon}
        return Scenario(self.key, self.label, overrides)


#: The settings the exercises of docs/teaching.md name, in order.
SETTINGS: tuple[LessonSetting, ...] = (
    LessonSetting("studied_network", 1, "the studied network", "tpn_baseline"),
    LessonSetting("venues_half", 2, "half the meetings at statutory sites", "tpn_baseline",
                  {"venues": "half and half (50%)"}),
    LessonSetting("venues_mostly_statutory", 2, "a quarter of the meetings in community venues",
                  "tpn_baseline", {"venues": "mostly statutory (25%)"}),
    LessonSetting("venues_statutory", 2, "statutory sites only", "tpn_baseline",
                  {"venues": "statutory sites (0%)"}),
    LessonSetting("short_kpi_contracts", 3, "12-month KPI-tied contracts, no core funding",
                  "short_kpi_contracts"),
    LessonSetting("no_core_funding", 3, "no core funding (flexible contracts)", "tpn_baseline",
                  {"core_funding": "no core funding"}),
    LessonSetting("no_core_kpi", 3, "no core funding, KPI-tied contracts", "tpn_baseline",
                  {"core_funding": "no core funding", "funding_terms": "KPI-tied"}),
    LessonSetting("no_broker", 4, "no broker", "no_broker"),
    LessonSetting("senior_not_engaged", 4, "senior officials not engaged", "tpn_baseline",
                  {"senior": "not engaged"}),
    LessonSetting("light_history", 5, "a light history of harm (harm weight 0.2)",
                  "tpn_baseline", extra={"harm_weight": 0.2}),
    LessonSetting("heavy_history", 5, "a heavy history of harm (harm weight 0.8)",
                  "tpn_baseline", extra={"harm_weight": 0.8}),
    LessonSetting("harmful_incident", 5, "a harmful incident in month 60",
                  "interv_harmful_incident"),
)


def run_lesson_worlds(parameter_sets: str = "posterior", runs: int = RUNS_PER_WORLD,
                      seed: int = 2008, horizon: int = WORLD_HORIZON, workers: int = 1,
                      settings: Sequence[LessonSetting] = SETTINGS, max_sets: int | None = None,
                      progress: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every setting in every world, ``runs`` runs each on the world's own seeds.

    Returns the per-world times (:func:`world_times`' table, ``scenario`` the setting's key) and
    the summary per setting and outcome (:func:`summarise_worlds`), with the setting's exercise
    and label. Results do not depend on ``workers``.
    """
    ids, sets = load_worlds(parameter_sets, max_sets)
    if not sets:
        raise ValueError("the lesson's numbers over worlds need parameter sets, not 'defaults'")
    scenarios = [s.as_scenario(horizon) for s in settings]
    table, _ = run_scenarios(scenarios, common_seeds(seed, runs), workers, metrics=(),
                             progress=progress, param_sets=sets, set_ids=ids)
    table["parameter_set"] = [ids[k] for k in table["parameter_set"]]
    times = world_times(table)
    summary = summarise_worlds(times, [s.key for s in settings])
    meta = pd.DataFrame([{"scenario": s.key, "exercise": s.exercise, "setting": s.label}
                         for s in settings])
    summary = meta.merge(summary, on="scenario").rename(columns={"scenario": "key"})
    return times, summary


def paired_delay(times: pd.DataFrame, setting: str, reference: str, outcome: str
                 ) -> dict[str, float]:
    """Per world, ``setting``'s time minus ``reference``'s: share later, median, 10th-90th.

    The same worlds run both settings with the same seeds, so a world's difference is the
    setting's, not chance's. The percentiles are over the worlds that reach the outcome within
    the horizon in both (``worlds_both``); ``worlds_pushed_beyond`` reach it without the setting
    but not with it, ``worlds_pulled_within`` the other way round, ``worlds_neither`` in
    neither. ``share_later`` is over every world that reaches it in at least one.
    """
    def values(key: str) -> pd.Series:
        sub = times[(times["scenario"] == key) & (times["outcome"] == outcome)]
        return pd.Series(time_values(sub), index=sub["parameter_set"].to_numpy())

    a, b = values(setting), values(reference)
    fa, fb = np.isfinite(a), np.isfinite(b)
    both = fa & fb
    d = (a - b)[both].to_numpy()
    some = fa | fb
    later = ((a > b) & some).sum()  # inf > finite counts as later
    p10, p50, p90 = np.percentile(d, [10, 50, 90]) if d.size else (np.nan,) * 3
    return {"worlds": int(len(a)), "worlds_both": int(both.sum()),
            "worlds_pushed_beyond": int((fb & ~fa).sum()),
            "worlds_pulled_within": int((fa & ~fb).sum()),
            "worlds_neither": int((~some).sum()),
            "share_later": float(later / some.sum()) if some.any() else float("nan"),
            "p10": float(p10), "p50": float(p50), "p90": float(p90)}


def _in_years(months: float) -> str:
    n = int(round(months / 12))
    return "less than half a year" if n == 0 else f"{n} year{'s' if abs(n) != 1 else ''}"


def _pct(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:.0%}"


def lesson_markdown(summary: pd.DataFrame, delay: dict[str, float], runs: int,
                    source: str) -> str:
    """The table docs/teaching.md quotes, in words a class can read (whole years)."""
    lines = [
        "# The lesson's numbers over the plausible worlds", "",
        f"{int(summary['worlds'].max()):,} plausible worlds ({source}), {runs} runs of each "
        "setting in each world (the same seeds for every setting of a world, other seeds in each "
        "world), a 30-year horizon. A world's time is the "
        "median of its runs; the shares are shares of worlds, not probabilities of the future.",
        "",
        "| exercise | setting | outcome | within 5 / 10 / 15 / 30 years | median world | "
        "10th to 90th percentile |",
        "|---|---|---|---|---|---|",
    ]
    for _, r in summary.iterrows():
        horizon = float(r["horizon_months"])
        shares = " / ".join(_pct(r[f"share_within_{m}"]) for m in (60, 120, 180, 360))
        median = None if r["p50_beyond_horizon"] else r["p50_months"]
        lo = None if r["p10_beyond_horizon"] else r["p10_months"]
        hi = None if r["p90_beyond_horizon"] else r["p90_months"]
        outcome = outcome_label(r["outcome"])
        lines.append(f"| {r['exercise']} | {r['setting']} | {outcome} | {shares} | "
                     f"{format_years(median, horizon)} | "
                     f"{format_year_range(lo, hi, horizon)} |")
    if delay:
        lines += ["", "**What one harmful incident costs** (exercise 5; each world's time to "
                  "service-user engagement with the incident minus without it, the same seeds): "
                  f"of the {delay['worlds']:,} worlds, {delay['worlds_both']:,} reach engagement "
                  "within 30 years both with and without the incident; in them it comes later "
                  f"by a median of {_in_years(delay['p50'])} (10th to 90th percentile "
                  f"{delay['p10'] / 12:.0f} to {delay['p90'] / 12:.0f} years). In "
                  f"{delay['worlds_pushed_beyond']:,} more the incident pushes engagement beyond "
                  f"30 years (the other way round in {delay['worlds_pulled_within']:,}); in "
                  f"{delay['worlds_neither']:,} it comes within 30 years in neither. Of the worlds "
                  "that reach engagement in at least one, it comes later with the incident in "
                  f"{_pct(delay['share_later'])}."]
    return "\n".join(lines) + "\n"


def incident_delay(times: pd.DataFrame) -> dict[str, float]:
    """Exercise 5's contrast: the harmful incident against the studied network, engagement."""
    return paired_delay(times, "harmful_incident", "studied_network", HEADLINE[1])
