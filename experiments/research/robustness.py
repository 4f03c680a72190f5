"""Knife-edge robustness: how far one small nudge of one assumption moves a scenario's answer.

For each standard scenario and each float behaviour parameter, the parameter is nudged by plus
and minus ``fraction`` of its sweep range (clipped to its valid range) and the scenario is run on
a long horizon (30 years by default) with common seeds. Two answers are compared with the
un-nudged scenario's:

- ``d_p``: the change of P(end of phase zero within the horizon);
- ``ratio``: the change of the median month of the end of phase zero, as a factor of at least 1
  (censored runs count as the horizon).

A model whose answers hinge on how a few assumed constants sit against each other shows large
values here. The worst nudges are run again with many more seeds (``recheck``) before they are
reported, so that a large value is not Monte Carlo noise. This is the measure of
``../shared/tools/knife_edge.py``, with workers, a progress bar and a result folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from experiments.support.parallel import map_in_order
from experiments.support.scenarios import load_scenario
from simulation import run_batch
from simulation.outcome_registry import HEADLINE
from simulation.parameters import BUILT_IN, REGISTRY

#: The goal of the model-2 issue: no nudge moves P by more than this ...
MAX_D_P = 0.30
#: ... or the median month by more than this factor.
MAX_RATIO = 1.5


def nudged_parameters() -> list[str]:
    """The parameters nudged: every float behaviour parameter of the model."""
    return [n for n in BUILT_IN if REGISTRY[n].kind == "behaviour" and REGISTRY[n].type is float]


def nudge_value(base: dict[str, Any], name: str, sign: int, fraction: float) -> float:
    """A parameter's value in a scenario, nudged by a fraction of its sweep range.

    ``name``'s value in ``base`` (or its default) moves by ``sign x fraction`` of its sweep range
    and is clipped to its valid range.
    """
    p = REGISTRY[name]
    lo, hi = p.sweep
    value = float(base.get(name, p.default)) + sign * fraction * (hi - lo)
    return min(max(value, p.valid[0]), p.valid[1])


def answer(params: dict[str, Any], seeds: Sequence[int], horizon: int) -> tuple[float, float]:
    """P(end of phase zero within ``horizon``) and its median month (censored as ``horizon``)."""
    results = run_batch({**params, "horizon_months": horizon}, list(seeds))
    months = np.array([r.summary["phase_zero_months"] if r.summary["phase_zero_months"]
                       is not None else horizon for r in results], float)
    return float(np.mean(months < horizon)), float(np.median(months))


def scenario_spread(params: dict[str, Any], seeds: Sequence[int], horizon: int
                    ) -> dict[str, float]:
    """How a scenario's runs spread, at its own settings.

    P(each outcome within ``horizon``) and the quartiles of each outcome's month (censored runs
    count as ``horizon``).
    """
    results = run_batch({**params, "horizon_months": horizon}, list(seeds))
    out: dict[str, float] = {"runs": float(len(results))}
    for key in HEADLINE:
        months = np.array([r.summary[f"{key}_months"] if r.summary[f"{key}_months"] is not None
                           else horizon for r in results], float)
        out[f"p_{key}"] = float(np.mean(months < horizon))
        q1, q2, q3 = np.percentile(months, [25, 50, 75])
        out.update({f"{key}_q25": q1, f"{key}_median": q2, f"{key}_q75": q3,
                    f"{key}_iqr": q3 - q1})
    return out


def spread_table(scenarios: Sequence[str], seeds: Sequence[int], horizon: int, workers: int,
                 progress: bool = True) -> pd.DataFrame:
    """:func:`scenario_spread` of every scenario at its defaults, one row each."""
    jobs = [(dict(load_scenario(s).overrides), tuple(seeds), horizon) for s in scenarios]
    rows = map_in_order(scenario_spread, jobs, [len(seeds)] * len(jobs), workers, progress,
                        desc="scenarios")
    return pd.DataFrame([{"scenario": s, **row} for s, row in zip(scenarios, rows, strict=True)])


def _compare(scenario: str, name: str, sign: int, value: float, base: tuple[float, float],
             nudged: tuple[float, float]) -> dict[str, Any]:
    p0, m0 = base
    p1, m1 = nudged
    ratio = max(m1, 1.0) / max(m0, 1.0)
    return {"scenario": scenario, "parameter": name, "nudge": sign, "value": value,
            "p_base": p0, "p": p1, "d_p": abs(p1 - p0), "median_base": m0, "median": m1,
            "ratio": max(ratio, 1.0 / ratio)}


def knife_edge(scenarios: Sequence[str], seeds: Sequence[int], fraction: float, horizon: int,
               workers: int, progress: bool = True) -> pd.DataFrame:
    """Every nudge of every scenario, one row each (see the module's description)."""
    bases = {s: dict(load_scenario(s).overrides) for s in scenarios}
    names = nudged_parameters()
    jobs: list[tuple] = [(bases[s], tuple(seeds), horizon) for s in scenarios]
    keys: list[tuple[str, str, int, float]] = []
    for s in scenarios:
        for name in names:
            for sign in (-1, 1):
                value = nudge_value(bases[s], name, sign, fraction)
                keys.append((s, name, sign, value))
                jobs.append(({**bases[s], name: value}, tuple(seeds), horizon))
    answers = map_in_order(answer, jobs, [len(seeds)] * len(jobs), workers, progress,
                           desc="knife-edge")
    base_answer = dict(zip(scenarios, answers[: len(scenarios)], strict=True))
    rows = [_compare(s, name, sign, value, base_answer[s], a)
            for (s, name, sign, value), a in zip(keys, answers[len(scenarios):], strict=True)]
    return pd.DataFrame(rows)


def worst(table: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` largest changes of P and the ``n`` largest median factors (without repeats)."""
    picked = pd.concat([table.nlargest(n, "d_p"), table.nlargest(n, "ratio")])
    return picked.drop_duplicates(["scenario", "parameter", "nudge"])


def recheck(candidates: pd.DataFrame, seeds: Sequence[int], horizon: int, workers: int,
            progress: bool = True) -> pd.DataFrame:
    """The candidates measured again with ``seeds`` (many more of them)."""
    scenarios = list(dict.fromkeys(candidates["scenario"]))
    bases = {s: dict(load_scenario(s).overrides) for s in scenarios}
    jobs = [(bases[s], tuple(seeds), horizon) for s in scenarios]
    jobs += [({**bases[row.scenario], row.parameter: row.value}, tuple(seeds), horizon)
             for row in candidates.itertuples()]
    answers = map_in_order(answer, jobs, [len(seeds)] * len(jobs), workers, progress,
                           desc="recheck")
    base_answer = dict(zip(scenarios, answers[: len(scenarios)], strict=True))
    rows = [_compare(row.scenario, row.parameter, row.nudge, row.value, base_answer[row.scenario],
                     a) for row, a in zip(candidates.itertuples(), answers[len(scenarios):],
                                          strict=True)]
    return pd.DataFrame(rows)


def summary_lines(table: pd.DataFrame, rechecked: pd.DataFrame, meta: dict[str, Any]) -> list[str]:
    """A short Markdown report of the measure and its worst cases."""
    def where(row: Any) -> str:
        return f"{row.scenario}: `{row.parameter}` {row.nudge * meta['fraction']:+.0%}"

    lines = [
        "# Knife-edge robustness",
        "",
        f"{len(table)} nudges ({len(set(table.scenario))} scenarios x "
        f"{len(set(table.parameter))} float behaviour parameters x 2 directions) of "
        f"{meta['fraction']:.0%} of each sweep range, {meta['seeds']} common seeds each, "
        f"{meta['horizon_months']}-month horizon. Goal: no nudge moves P(end of phase zero "
        f"within the horizon) by more than {MAX_D_P:.2f} or its median month by a factor over "
        f"{MAX_RATIO}.",
        "",
        f"- Largest change of P: **{table.d_p.max():.2f}** "
        f"({where(table.loc[table.d_p.idxmax()])})",
        f"- Largest median factor: **{table.ratio.max():.2f}** "
        f"({where(table.loc[table.ratio.idxmax()])})",
        f"- Nudges over the goal at {meta['seeds']} seeds: {int((table.d_p > MAX_D_P).sum())} "
        f"moving P, {int((table.ratio > MAX_RATIO).sum())} moving the median.",
        "",
        f"## The worst nudges again, with {meta['recheck_seeds']} seeds",
        "",
        "| scenario | parameter | nudge | P | median (months) | change of P | factor |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rechecked.sort_values(["d_p", "ratio"], ascending=False).itertuples():
        lines.append(
            f"| {row.scenario} | `{row.parameter}` | {row.nudge * meta['fraction']:+.0%} | "
            f"{row.p_base:.2f} -> {row.p:.2f} | {row.median_base:.0f} -> {row.median:.0f} | "
            f"{row.d_p:.2f} | {row.ratio:.2f} |")
    over = rechecked[(rechecked.d_p > MAX_D_P) | (rechecked.ratio > MAX_RATIO)]
    lines += ["", f"Over the goal after the recheck: {len(over)}."]
    return lines
