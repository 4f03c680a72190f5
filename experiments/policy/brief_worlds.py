"""The brief's headlines over plausible worlds: in how many each holds, and what decides it.

Each headline of the brief (a scenario against the studied network, a funding regime, a
regime's minimum runway) is a yes/no per plausible world. This module counts the worlds in which
it holds, says what it rests on (worlds, runs per world) and withholds the verdict when they are
too few, and names the parameters that decide it (:mod:`experiments.policy.assumptions`). It
reads the per-world tables only (``world_times.csv``, ``grid_worlds.csv``,
``runway_worlds.csv``); without them it says so.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.policy import assumptions
from experiments.research.worlds import format_years
from experiments.support.outputs import UserError
from simulation.outcome_registry import label as outcome_label

#: Fewer worlds, or fewer runs per world, than these: a warning instead of a verdict.
MIN_WORLDS, MIN_RUNS = 20, 8
#: The studied network: the reference every scenario is set against.
REFERENCE = "tpn_baseline"
NONE = "&mdash;"
DECIDES = (
    "<i>What decides it</i>: the parameters whose values most change whether the headline "
    "holds in a world, by their PAWN index over the worlds (0: no effect; 1: decides it alone), "
    "named only when they stand out from what chance alone gives among this many worlds. "
    "<i>Where it fails</i> (for a scenario, where it is not later): the range of the first of "
    "them in which the worlds where the headline fails gather. These are the assumptions to "
    "examine before relying on the headline.")


def p(text: str) -> str:
    """A paragraph (``text`` is HTML)."""
    return f"<p>{text}</p>"


def code(text: str) -> str:
    """Escape ``text`` and show its `backticked` names as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def table(df: pd.DataFrame) -> str:
    """An HTML table whose cells are HTML already."""
    return df.to_html(index=False, border=0, escape=False, na_rep="")


def read_manifest(folder: Path) -> dict[str, Any]:
    """A result folder's manifest, or an empty one."""
    path = folder / "manifest.json"
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError, RecursionError) as exc:
        raise UserError(f"'{path}' is damaged ({exc.__class__.__name__}); write that folder "
                        "again") from None
    if not isinstance(data, dict):
        raise UserError(f"'{path}' is not a phase0 manifest; write that folder again")
    return data


@dataclass(frozen=True)
class Basis:
    """What a table or a headline rests on: plausible worlds and runs in each."""

    worlds: int | None
    runs: int | None
    note: str = ""
    text: str = ""

    def too_few(self) -> str:
        """A warning in words when the worlds or the runs per world are too few, else ''."""
        few = [w for w, n, least in (("worlds", self.worlds, MIN_WORLDS),
                                     ("runs per world", self.runs, MIN_RUNS))
               if n is not None and n < least]
        if self.worlds is None:
            return "not per plausible world: no verdict over worlds"
        if not few:
            return ""
        return f"too few {' and '.join(few)} for a verdict"

    def words(self) -> str:
        """'1,000 plausible worlds x 8 runs each', or what a single parameter set rests on."""
        if self.text:
            return self.text
        runs = "an unrecorded number of" if self.runs is None else f"{self.runs:,}"
        if self.worlds is None:
            return f"{runs} runs of one parameter set{self.note}"
        return f"{self.worlds:,} plausible worlds x {runs} runs each{self.note}"

    def html(self) -> str:
        """The 'Rests on ...' line, with the warning when there is one."""
        warn = self.too_few()
        need = (f" (a verdict needs at least {MIN_WORLDS} worlds and {MIN_RUNS} runs in each)"
                if warn.startswith("too few") else "")
        tail = f' <span class="warn">Warning: {html.escape(warn)}{need}.</span>' if warn else ""
        return f'<p class="rests">Rests on {html.escape(self.words())}.{tail}</p>'


def _runs(manifest: dict[str, Any]) -> int | None:
    for key in ("runs_per_world", "replicates"):
        if isinstance(manifest.get(key), int):
            return int(manifest[key])
    return None


#: Fewest worlds on the rarer side (holding or failing) for the brief to name what decides a
MIN_MINORITY = 5  # headline: with fewer, a parameter that separates them does so by chance


def _index(value: float) -> str:
    """A PAWN index in two decimals, never '0.00' for one above its noise level."""
    return "below 0.01" if value < 0.005 else f"{value:.2f}"


def verdict(holds: pd.Series, basis: Basis, X: pd.DataFrame | None) -> dict[str, str]:
    """A headline's cells: in how many worlds it holds, what decides it, where it fails.

    ``holds``: True/False per world (indexed by world). Too few worlds or runs: the warning.
    """
    n = len(holds)
    warn = Basis(n, basis.runs).too_few()
    if warn:
        return {"holds": f'<span class="warn">{html.escape(warn)}</span>',
                "decided by": NONE, "where it fails": NONE}
    share = float(holds.mean())
    out = {"holds": f"holds in {share:.0%} of {n:,} plausible worlds",
           "decided by": NONE, "where it fails": NONE}
    if share in (0.0, 1.0):
        out["decided by"] = "nothing among these worlds: " + (
            "it holds in all of them" if share else "it holds in none of them")
        return out
    fewer = int(min(holds.sum(), n - holds.sum()))
    if fewer < MIN_MINORITY:  # a handful of worlds on one side: chance, not a parameter
        side = "fails" if share > 0.5 else "holds"
        out["decided by"] = (f"nothing that can be told from these worlds: it {side} in only "
                             f"{fewer} of them")
        return out
    if X is None or not set(holds.index) <= set(X.index):
        out["decided by"] = "not known: the worlds' parameters are not available"
        return out
    top = assumptions.decisive_parameters(X.loc[list(holds.index)], holds.astype(float))
    if top.empty:
        out["decided by"] = "not known: no parameter varies enough among these worlds"
        return out
    top = top[top.above_noise]
    if top.empty:
        out["decided by"] = "no parameter stands out from chance among these worlds"
        return out
    out["decided by"] = ", ".join(f"<code>{html.escape(r.parameter)}</code> "
                                  f"({_index(r.pawn_median)})" for r in top.itertuples())
    out["where it fails"] = code(top.iloc[0].phrase) or NONE
    return out


# ---------------------------------------------------------------- scenarios

def compare_basis(folder: Path) -> Basis:
    """What a comparison rests on, from its manifest and tables."""
    m = read_manifest(folder)
    if (folder / "worlds.csv").exists():
        df = pd.read_csv(folder / "worlds.csv")
        return Basis(int(df["worlds"].min()), int(df["runs_per_world"].min()))
    runs = int(pd.read_csv(folder / "comparison.csv")["runs"].min())
    return Basis(None, runs if runs else _runs(m), " (the registry's defaults), for each "
                 "scenario: it says nothing about the spread across plausible worlds")


def ensemble_parameters(ensemble: Path | None) -> pd.DataFrame | None:
    """The ensemble's worlds' parameters, or None when there is no ensemble."""
    return assumptions.load_ensemble(ensemble) if ensemble and ensemble.exists() else None


def compare_parameters(folder: Path, ensemble: Path | None) -> pd.DataFrame | None:
    """The parameters of a comparison's worlds: as its manifest recorded them, or the ensemble's."""
    X = assumptions.parameters_from_manifest(read_manifest(folder))
    return ensemble_parameters(ensemble) if X is None else X


def contrast_table(times: pd.DataFrame, basis: Basis, X: pd.DataFrame | None,
                   reference: str = REFERENCE) -> pd.DataFrame:
    """One row per scenario and outcome: later than ``reference`` in how many worlds, and why."""
    contrasts = assumptions.scenario_contrasts(times, reference)
    horizon = float(times["horizon_months"].max())
    rows = []
    for (scenario, outcome), sub in contrasts.groupby(["scenario", "outcome"], sort=False):
        later = pd.Series(sub["later"].to_numpy(bool), index=sub["world"].to_numpy())
        cells = verdict(later, basis, X)
        d = float(sub["delay_months"].median())
        diff = ("about the same" if abs(d) < assumptions.TIE_MONTHS else
                f"{format_years(abs(d), horizon)} {'later' if d > 0 else 'earlier'}")
        if d > 0 and (sub["beyond"] & ~sub["both_beyond"]).mean() >= 0.5:
            diff += " or more (beyond the horizon in most worlds)"
        beyond = float(sub["both_beyond"].mean())
        earlier = float(sub["earlier"].mean())
        also = ([f"earlier in {earlier:.0%}"] if earlier else []) + (
            [f"neither within {horizon / 12:g} years in {beyond:.0%}"] if beyond else [])
        if cells["holds"].startswith("<span"):
            diff = NONE
        elif also:
            cells["holds"] += f" ({'; '.join(also)})"
        rows.append({"scenario": html.escape(str(scenario)),
                     "outcome": html.escape(outcome_label(str(outcome))),
                     f"later than {reference}": cells["holds"],
                     "median difference across worlds": diff,
                     "what decides it (PAWN index)": cells["decided by"],
                     "where it is not later": cells["where it fails"]})
    return pd.DataFrame(rows)


def contrasts_html(folder: Path, ensemble: Path | None, reference: str = REFERENCE,
                   times: pd.DataFrame | None = None,
                   parameters: pd.DataFrame | None = None) -> str:
    """The contrasts of a comparison's scenarios with ``reference``, or why there are none.

    ``times``/``parameters``: per-world times and the worlds' parameters given directly
    (otherwise read from ``folder`` and its manifest, or ``ensemble``).
    """
    given = times is not None
    path = folder / "world_times.csv"
    if not given and not path.exists():
        return p("<b>Over plausible worlds.</b> This comparison has no per-world results "
                 "(world_times.csv): it ran one parameter set, so it cannot say in how many "
                 "plausible worlds each scenario is later than the studied network, nor which "
                 "assumptions decide it. Make them with <code>make run</code> (<code>phase0 "
                 "compare</code> over the calibration's ensemble).")
    times = times if given else pd.read_csv(path)
    if reference not in set(times["scenario"]):
        return p(f"<b>Over plausible worlds.</b> The comparison does not include "
                 f"{html.escape(reference)}, so no scenario can be set against it.")
    basis = Basis(int(times.groupby("scenario")["world"].nunique().min()),
                  int(times["runs"].min())) if given else compare_basis(folder)
    X = parameters if parameters is not None else compare_parameters(folder, ensemble)
    body = contrast_table(times, basis, X, reference)
    if body.empty:
        return ""
    return "\n".join([
        p(f"<b>Against the studied network, world by world.</b> In each plausible world, is "
          f"the scenario later than {html.escape(reference)}? A world's time is the median of "
          "its runs; one beyond the horizon counts at the horizon, so two such times are the "
          "same; a difference under a month is none."),
        basis.html(), table(body),
        p(DECIDES)])


# ---------------------------------------------------------------- funding

def funding_horizon(manifest: dict[str, Any]) -> int | None:
    """The explorer's horizon (months), from its manifest."""
    h = manifest.get("horizon_months") or manifest.get("base_parameters", {}).get(
        "horizon_months")
    return int(h) if h else None


def funding_basis(folder: Path, name: str) -> Basis:
    """What the explorer's per-world table ``name`` rests on (pooled runs when it is absent)."""
    m = read_manifest(folder)
    if (folder / name).exists():
        return Basis(int(pd.read_csv(folder / name)["world"].nunique()), _runs(m))
    return Basis(None, _runs(m), text=f"{m.get('sets', '?')} parameter sets x "
                 f"{m.get('replicates', '?')} runs each, pooled: no per-world table ({name})")


def regimes_html(folder: Path, X: pd.DataFrame | None) -> str:
    """Each funding regime of the explorer: engagement within the horizon in how many worlds."""
    path = folder / "grid_worlds.csv"
    if not path.exists():
        return p("<b>Over plausible worlds.</b> The explorer's results have no per-world table "
                 "(grid_worlds.csv), so the brief cannot say in how many plausible worlds each "
                 "funding regime lets service users engage, nor what decides it. Run "
                 "<code>phase0 explore funding</code> again with this version of phase0.")
    grid = pd.read_csv(path)
    horizon = funding_horizon(read_manifest(folder))
    basis = funding_basis(folder, "grid_worlds.csv")
    within = f"within {horizon / 12:g} years" if horizon else "within the horizon"
    rows = []
    for regime in _regimes(folder):
        holds = assumptions.grid_holds(grid, regime.parameters(), "engagement")
        if holds.empty:
            continue
        cells = verdict(holds, basis, X)
        rows.append({"funding regime": html.escape(regime.words),
                     f"service users engage {within}": cells["holds"],
                     "what decides it (PAWN index)": cells["decided by"],
                     "where it fails": cells["where it fails"]})
    return "\n".join([
        p(f"<b>Each regime, world by world.</b> Does service-user engagement come {within}, "
          "under each funding regime from the start, in each plausible world?"),
        basis.html(), table(pd.DataFrame(rows)), p(DECIDES)])


def _minimum(row: Any, runways: pd.Series) -> tuple[float, bool]:
    """A regime's minimum runway (months) and whether the explorer found one."""
    m = getattr(row, "minimum_runway_months", None)
    if m is not None and not pd.isna(m):
        return float(m), True
    at = getattr(row, "at_runway_months", None)
    return (float(at) if at is not None and not pd.isna(at) else float(runways.max())), False


def runway_words(months: float, found: bool, horizon: int | None) -> str:
    """A minimum runway in words: months, and whole years."""
    if not found:
        return f"not found: no runway tried is enough (the longest is {months:.0f} months)"
    if months == 0:
        return "none needed"
    years = format_years(months, float("inf"))
    return f"{months:.0f} months, {years}" + (
        ": these terms start only at the horizon" if horizon and months >= horizon else "")


def runway_table(folder: Path, X: pd.DataFrame | None) -> tuple[str, pd.DataFrame]:
    """The minimum-runway table: each regime's runway and, per world, engagement at it."""
    manifest = read_manifest(folder)
    minimum = pd.read_csv(folder / "minimum_runway.csv")
    horizon = funding_horizon(manifest)
    within = manifest.get("within_months") or horizon
    path = folder / "runway_worlds.csv"
    worlds = pd.read_csv(path) if path.exists() else None
    words = {r.key: r.words for r in _regimes(folder)}
    basis = funding_basis(folder, "runway_worlds.csv")
    head = f"service users engage within {within / 12:g} years at that runway" if within \
        else "service users engage at that runway"
    rows = []
    for row in minimum.itertuples():
        runways = worlds["runway_months"] if worlds is not None else pd.Series([0])
        months, found = _minimum(row, runways)
        if worlds is not None:
            holds = assumptions.runway_holds(worlds, row.regime, months, within)
            cells = verdict(holds, basis, X)
        else:
            cells = {"holds": f'<span class="warn">{html.escape(basis.too_few())}</span>',
                     "decided by": NONE, "where it fails": NONE}
        rows.append({"funding once the runway ends": html.escape(
                         str(getattr(row, "funding", words.get(row.regime, row.regime)))),
                     "minimum runway of flexible funding": html.escape(
                         runway_words(months, found, horizon)),
                     head: cells["holds"], "what decides it (PAWN index)": cells["decided by"],
                     "where it fails": cells["where it fails"]})
    return basis.html(), pd.DataFrame(rows)


def _regimes(folder: Path) -> tuple[Any, ...]:
    """The regimes a funding explorer's folder ran (its manifest's; the built-in ones if none)."""
    from experiments.policy.regimes import regimes_from_record

    return regimes_from_record(read_manifest(folder).get("regimes"))


def compare_horizon(folder: Path) -> float:
    """A comparison's horizon (months): from its tables, else from its manifest's scenarios."""
    for name in ("worlds.csv", "comparison.csv"):
        if (folder / name).exists():
            df = pd.read_csv(folder / name)
            if "horizon_months" in df:
                return float(df["horizon_months"].max())
    scenarios = read_manifest(folder).get("scenarios") or [{}]
    return float(max(s.get("parameters", {}).get("horizon_months", 180) for s in scenarios))


def comparison_cells(df: pd.DataFrame, horizon: float = 180) -> pd.DataFrame:
    """A comparison table in words: shares of worlds within 5, 10, 30 years, median in years.

    A setting with too few worlds or runs per world gets a warning instead of its numbers.
    Old-format tables (one parameter set) give shares of runs and the Kaplan-Meier median.
    """
    if "share_within_60" not in df:
        h = horizon
        return pd.DataFrame({
            "scenario": df["scenario"], "outcome": df["outcome"].map(outcome_label),
            "median time (runs)": [format_years(m, h) for m in df["median_months"]],
            "runs within 5 years": df["p_by_60"].map(lambda v: f"{v:.0%}"),
            "runs within 10 years": df["p_by_120"].map(lambda v: f"{v:.0%}"),
            f"runs not within {h / 12:g} years": df["censored_share"].map(lambda v: f"{v:.0%}"),
        })
    spans = [s for s in (60, 120, 360) if f"share_within_{s}" in df]
    rows = []
    for r in df.itertuples():
        h = float(r.horizon_months)
        cells = [("n/a" if pd.isna(v) else f"{v:.0%}")
                 for v in (getattr(r, f"share_within_{s}") for s in spans)]
        cells.append(format_years(None if r.p50_beyond_horizon else r.p50_months, h))
        warn = Basis(int(r.worlds), int(r.runs_per_world)).too_few()
        if warn:  # no numbers, the warning in their place
            cells = [f"{warn} ({int(r.worlds)} worlds x {int(r.runs_per_world)} runs)"] + \
                [""] * (len(cells) - 1)
        heads = [f"worlds within {s // 12} years" for s in spans] + ["median across worlds"]
        rows.append({"scenario": r.scenario, "outcome": outcome_label(r.outcome),
                     **dict(zip(heads, cells, strict=True))})
    return pd.DataFrame(rows)

