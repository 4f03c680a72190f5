"""Answers over plausible worlds: each world's time to an outcome, then the spread across worlds.

A *world* is one plausible parameter set (a row of the calibration's ensemble). A comparison runs
every scenario in every world a few times, each world on its own seeds (the same for every
scenario, :func:`world_seeds`). Pooling all those runs into one
Kaplan-Meier curve would mix two things, run-to-run chance and not knowing which world is ours,
and its interval would only reflect the first. Here instead:

1. each world's time to an outcome is the **median of its runs**, a run that does not reach the
   outcome counting as later than the horizon (so a world in which half or more of its runs do
   not reach it has no time within the horizon: it is *censored*);
2. per scenario and outcome, the **share of worlds** whose time is within 5, 10, 15 and 30 years
   and the **10th, 50th and 90th percentiles** of the world times.

These are shares of plausible worlds, not probabilities of the future. Months are shown in
whole years (:func:`format_years`, :func:`format_year_range`): a median of a few runs per world
supports nothing finer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from simulation.outcome_registry import HEADLINE
from simulation.outcome_registry import label as outcome_label

#: Spans (months) at which the share of worlds within them is reported: 5, 10, 15, 30 years.
SPANS = (60, 120, 180, 360)
#: Percentiles of the world times reported.
PERCENTILES = (10, 50, 90)
#: Default horizon (months) of a comparison over worlds: backs "not within 30 years".
WORLD_HORIZON = 360
#: The column of the per-run table that identifies a world (run_scenarios' own).
WORLD_KEY = "parameter_set"
#: How a world's run seeds derive from the common ones, as manifests state it.
WORLD_SEEDS = ("replicate r of world w runs on SeedSequence([run_seeds[r], w]): the same seeds in "
               "every scenario and setting of a world, other seeds in every world")


def world_seeds(seeds: Sequence[int], world: int) -> list[int]:
    """A world's own run seeds, derived from the common ``seeds`` and the world's id.

    Within a world every scenario and setting runs on the same seeds, so a contrast between two
    of them is theirs, not chance's. Across worlds the seeds differ: with the same few seeds in
    every world, each run seed fixes one place (its statutory culture, community history, when
    rounds open) for all worlds at once, and a share of worlds would hang on those few places
    (it moved by up to 16 points between seed sets for the studied network's phase zero within
    5 years). With a world's own seeds the share averages over worlds x runs places.
    """
    w = int(world) & 0xFFFFFFFFFFFFFFFF  # SeedSequence takes non-negative entropy
    return [int(np.random.SeedSequence([int(s), w]).generate_state(1, np.uint32)[0])
            for s in seeds]


#: The scenario the calibration fits: a world is this network's behaviour, every value drawn.
CALIBRATED_SCENARIO = "tpn_baseline"


def scenario_in_worlds(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A scenario's settings as they apply in a plausible world.

    A world gives every behaviour parameter of the studied network, including those the studied
    network's scenario file sets for its single-set runs (the calibration drew them anew, e.g.
    ``initial_trust_broker``). So a scenario's behaviour value equal to the studied network's own
    gives way to the world's, while one that differs is what the scenario is about and wins
    (``new_network``'s cold start, ``high_turnover``'s rates); levers, structure and
    measurement settings always win. Every tool that runs a scenario in worlds uses this rule,
    as the calibration does for the studied network.
    """
    from experiments.support.scenarios import load_scenario
    from simulation.parameters import REGISTRY

    studied = load_scenario(CALIBRATED_SCENARIO).overrides
    return {k: v for k, v in overrides.items()
            if not (k in REGISTRY and REGISTRY[k].kind == "behaviour" and k in studied
                    and studied[k] == v)}


def world_time(months: Sequence[float], censored: Sequence[bool]) -> float:
    """The median of one world's runs, censored runs counted as later than the horizon.

    Returns the median month, or ``inf`` when half or more of the runs are censored (the median
    then falls among them). With an even number of runs the median is the mean of the middle
    two, so it may end in .5.
    """
    values = np.where(np.asarray(censored, bool), np.inf,
                      np.asarray(months, dtype=float))
    if values.size == 0:
        raise ValueError("a world with no runs has no time")
    values = np.sort(values)
    n = values.size
    lo, hi = values[(n - 1) // 2], values[n // 2]
    return float("inf") if math.isinf(hi) else float((lo + hi) / 2)


def world_times(runs: pd.DataFrame, outcomes: Sequence[str] = HEADLINE,
                key: str = WORLD_KEY) -> pd.DataFrame:
    """Per scenario, world and outcome: the world's time (see :func:`world_time`).

    ``runs`` is the per-run table of :func:`experiments.research.compare.run_scenarios` (columns
    ``scenario``, ``key``, ``horizon_months``, ``<outcome>_months``, ``<outcome>_censored``).
    Returns one row per (scenario, world, outcome) with ``runs``, ``reached_runs`` (runs that
    reached the outcome), ``horizon_months``, ``time_months`` (NaN when censored) and
    ``censored`` (True when half or more of the world's runs did not reach the outcome).
    """
    rows = []
    for (scenario, world), sub in runs.groupby(["scenario", key], sort=False):
        horizon = int(sub["horizon_months"].max())
        for outcome in outcomes:
            flags = sub[f"{outcome}_censored"].to_numpy(bool)
            t = world_time(sub[f"{outcome}_months"].astype(float).to_numpy(), flags)
            rows.append({"scenario": scenario, key: world, "outcome": outcome,
                         "runs": len(sub), "reached_runs": int((~flags).sum()),
                         "horizon_months": horizon,
                         "time_months": np.nan if math.isinf(t) else t,
                         "censored": math.isinf(t)})
    return pd.DataFrame(rows)


def time_values(times: pd.DataFrame) -> np.ndarray:
    """The worlds' times in a table of :func:`world_times`, ``inf`` where censored."""
    return np.where(times["censored"].to_numpy(bool), np.inf,
                    times["time_months"].astype(float).to_numpy())


def share_within(times: pd.DataFrame, months: float) -> float:
    """The share of the worlds in ``times`` whose time is at most ``months``."""
    return float(np.mean(time_values(times) <= months))


def percentile(times: np.ndarray, q: float) -> float:
    """The ``q``-th percentile (0-100) of ``times``, ``inf`` standing for beyond the horizon.

    Linear interpolation between order statistics, as NumPy's default; ``inf`` when either
    order statistic it needs is beyond the horizon.
    """
    values = np.sort(np.asarray(times, dtype=float))
    if values.size == 0:
        return float("nan")
    h = (values.size - 1) * q / 100
    lo, hi = values[math.floor(h)], values[math.ceil(h)]
    if math.isinf(hi):
        return float("inf")
    return float(lo + (hi - lo) * (h - math.floor(h)))


def summarise_worlds(times: pd.DataFrame, scenario_order: Sequence[str] | None = None,
                     outcomes: Sequence[str] = HEADLINE) -> pd.DataFrame:
    """Per scenario and outcome: the share of worlds within each span and the percentiles.

    ``times`` is :func:`world_times`' table. Columns: ``scenario``, ``outcome``, ``worlds``,
    ``runs_per_world`` (the fewest runs of any world; all the same in a comparison),
    ``horizon_months``, ``share_within_<m>`` for each of :data:`SPANS` (NaN when the span is
    longer than the horizon: the runs cannot say), ``share_beyond_horizon`` (worlds whose time
    is not within the horizon), and for each of :data:`PERCENTILES` ``p<q>_months`` (NaN when
    the percentile falls among the worlds beyond the horizon) with ``p<q>_beyond_horizon``.
    """
    order = list(scenario_order) if scenario_order else list(dict.fromkeys(times["scenario"]))
    rows = []
    for scenario in order:
        for outcome in outcomes:
            sub = times[(times["scenario"] == scenario) & (times["outcome"] == outcome)]
            if sub.empty:
                continue
            horizon = int(sub["horizon_months"].max())
            t = time_values(sub)
            row: dict[str, object] = {"scenario": scenario, "outcome": outcome,
                                      "worlds": len(sub), "runs_per_world": int(sub["runs"].min()),
                                      "horizon_months": horizon}
            for span in SPANS:
                row[f"share_within_{span}"] = (round(float(np.mean(t <= span)), 4)
                                               if span <= horizon else np.nan)
            row["share_beyond_horizon"] = round(float(np.mean(np.isinf(t))), 4)
            for q in PERCENTILES:
                value = percentile(t, q)
                row[f"p{q}_months"] = np.nan if math.isinf(value) else round(value, 1)
                row[f"p{q}_beyond_horizon"] = math.isinf(value)
            rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- words

def _horizon_years(horizon: float) -> str:
    return f"{horizon / 12:g}"


def _beyond(months: float | None, horizon: float) -> bool:
    return months is None or not math.isfinite(months) or months > horizon


def whole_years(months: float) -> int:
    """Months in whole years, halves rounded up (54 months: 5 years)."""
    return int(math.floor(months / 12 + 0.5))


def _years(n: int) -> str:
    return "less than a year" if n == 0 else f"{n} year{'' if n == 1 else 's'}"


def format_years(months: float | None, horizon: float) -> str:
    """One time in words, in whole years: 'about 4 years', or 'not within 30 years'.

    ``None``, NaN and ``inf`` (and anything past ``horizon``) mean not reached within the
    horizon.
    """
    if _beyond(months, horizon):
        return f"not within {_horizon_years(horizon)} years"
    n = whole_years(float(months))  # type: ignore[arg-type]
    return "less than a year" if n == 0 else f"about {_years(n)}"


def format_year_range(low: float | None, high: float | None, horizon: float) -> str:
    """A range in words, in whole years: '4 to 7 years', 'about 4 years' when both round alike.

    An end beyond the horizon (``None``, NaN, ``inf``) reads 'more than H years'; both beyond
    reads 'not within H years'.
    """
    if _beyond(low, horizon):
        return f"not within {_horizon_years(horizon)} years"
    a = whole_years(float(low))  # type: ignore[arg-type]
    if _beyond(high, horizon):
        start = "less than a year" if a == 0 else str(a)
        return f"{start} to more than {_horizon_years(horizon)} years"
    b = whole_years(float(high))  # type: ignore[arg-type]
    if a == b:
        return format_years(low, horizon)
    return f"{'less than a year' if a == 0 else a} to {_years(b)}"


def _share(value: float) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f"{value:.0%}"


def _months_or_beyond(row: pd.Series, q: int) -> float:
    return math.inf if bool(row[f"p{q}_beyond_horizon"]) else float(row[f"p{q}_months"])


def world_markdown(summary: pd.DataFrame) -> str:
    """The world table for people: shares of worlds within each span and the spread in years."""
    header = (["scenario", "outcome"] + [f"within {s // 12} years" for s in SPANS]
              + ["spread across worlds (median; 10th to 90th percentile)"])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for _, r in summary.iterrows():
        h = float(r["horizon_months"])
        p10, p50, p90 = (_months_or_beyond(r, q) for q in PERCENTILES)
        spread = (format_years(p10, h) if _beyond(p10, h)
                  else f"{format_years(p50, h)}; {format_year_range(p10, p90, h)}")
        cells = [str(r["scenario"]), outcome_label(str(r["outcome"]))]
        cells += [_share(r[f"share_within_{s}"]) for s in SPANS]
        lines.append("| " + " | ".join(cells + [spread]) + " |")
    return "\n".join(lines) + "\n"


def world_sentences(summary: pd.DataFrame) -> str:
    """One line per scenario and outcome: 'in X% of N plausible worlds within 5 / 10 / ...'."""
    out = []
    for _, r in summary.iterrows():
        h = float(r["horizon_months"])
        spans = [s for s in SPANS if s <= h]
        shares = " / ".join(_share(r[f"share_within_{s}"]) for s in spans)
        years = " / ".join(f"{s // 12:g}" for s in spans)
        p10, p50, p90 = (_months_or_beyond(r, q) for q in PERCENTILES)
        out.append(f"- **{r['scenario']}, {outcome_label(str(r['outcome']))}**: in {shares} of "
                   f"{int(r['worlds'])} plausible worlds within {years} years; spread across "
                   f"worlds: median {format_years(p50, h)}, 10th-90th percentile "
                   f"{format_year_range(p10, p90, h)}.")
    return "\n".join(out) + "\n"


def worlds_report(summary: pd.DataFrame, seed: int, source: str) -> str:
    """``comparison.md`` of a comparison over worlds: the world table first, then what it means."""
    first = summary.iloc[0]
    n, r = int(first["worlds"]), int(first["runs_per_world"])
    horizon = int(summary["horizon_months"].max())
    return (
        "# Scenario comparison over plausible worlds\n\n"
        f"{n} plausible worlds (parameter sets from {source}), {r} runs of each scenario in "
        f"each world (each world on its own seeds, the same for every scenario; root seed "
        f"{seed}); horizon "
        f"{horizon} months ({_horizon_years(horizon)} years).\n\n"
        f"Each world's time to an outcome is the median of its {r} runs; a run that does not "
        "reach the outcome counts as later than the horizon, so a world in which half or more "
        "of its runs do not reach it has no time within the horizon. The percentages are "
        "shares of plausible worlds (parameter sets that fit the evidence), not probabilities "
        "of the future. Times are in whole years: a median of a few runs supports nothing "
        "finer. 'n/a': a span longer than the horizon.\n\n"
        + world_markdown(summary) + "\n" + world_sentences(summary)
        + "\nFiles: worlds.csv (this table; comparison.csv is the same), world_times.csv (each "
        "world's time), runs.parquet (every run), rankings.csv and pairwise.csv (scenario "
        "orders per world). kaplan_meier.png and pooled_kaplan_meier.csv pool every run of "
        "every world: they show run-to-run chance, not the spread across worlds.\n")
