"""Many futures: one network's situation run over the plausible worlds, answered fast, refined.

The policy room's question is "with our funding and our network, how long until service users
engage, and what would change it?". A :class:`Situation` is the answer's input: the settings an
analyst can describe without a file (broker, its core funding, contract length and terms, the
gap between contracts, a flexible runway, venues, payment, senior engagement, network size).
:class:`Futures` runs it, and the studied network beside it, in worlds of the calibration's
ensemble (``experiments/calibration/ensemble.csv``), each world on its own seeds (the same
for every situation), in stages: a first answer
from a few worlds, then more worlds. Each stage reports, per outcome, the share of worlds in
which it comes within 5, 10, 15 and 30 years (each world's time is the median of its runs, as
everywhere, :mod:`experiments.research.worlds`), the curve of that share against time, and,
when asked, how much each single change of a setting moves the share within 15 years.

These are shares of plausible worlds, not probabilities of the future; every answer says on how
many worlds and runs it rests.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.research.compare import common_seeds, load_worlds
from experiments.research.worlds import (
    SPANS,
    WORLD_HORIZON,
    percentile,
    scenario_in_worlds,
    share_within,
    time_values,
    world_seeds,
    world_time,
)
from experiments.support.scenarios import load_scenario
from simulation import run_batch
from simulation.outcome_registry import HEADLINE
from simulation.parameters import resolve

#: The scenario a situation starts from: the studied network's policies without its years of
#: prior relationship (a network starting now has no broker it has trusted since 2001).
BASE_SCENARIO = "new_network"
#: The studied network, drawn beside every answer.
REFERENCE = "tpn_baseline"
#: Worlds in the first answer, and in the full one (runs per world: :data:`RUNS`).
FIRST_WORLDS = 40
ALL_WORLDS = 200
RUNS = 8
#: Worlds run in one engine call: answers are built from whole blocks, so a refinement reuses
#: the worlds of the answer before it.
BLOCK = FIRST_WORLDS
#: The span (months) at which one-at-a-time changes are compared: 15 years.
EFFECT_SPAN = 180


@dataclass(frozen=True)
class Setting:
    """One control of the futures page: a registry parameter and the values offered."""

    parameter: str
    label: str
    choices: tuple[Any, ...]
    words: tuple[str, ...]

    def describe(self, value: Any) -> str:
        """``value`` in the words of the page."""
        for choice, word in zip(self.choices, self.words, strict=True):
            if choice == value:
                return word
        return str(value)


#: The controls, in the order of the page (values: what the registry calls them).
SETTINGS: tuple[Setting, ...] = (
    Setting("broker_present", "Broker organisation", (True, False), ("a broker", "no broker")),
    Setting("core_funding", "Broker's core funding", (True, False),
            ("core funding, not tied to cycles", "no core funding")),
    Setting("contract_months", "Project contract length", (6, 12, 24, 36, 48, 60),
            ("6 months", "12 months", "24 months", "36 months", "48 months", "60 months")),
    Setting("kpi_tied", "Contract terms", (False, True), ("flexible", "KPI-tied")),
    Setting("contract_gap_months", "Gap between contracts", (0, 3, 6, 12),
            ("none", "3 months", "6 months", "12 months")),
    Setting("flexible_runway_months", "Flexible runway first", (0, 12, 24, 36, 48, 60),
            ("none", "1 year", "2 years", "3 years", "4 years", "5 years")),
    Setting("venue_community_share", "Where meetings are held", (1.0, 0.5, 0.0),
            ("community venues", "half and half", "statutory sites")),
    Setting("pay_contributions", "Community contributions", (True, False),
            ("paid", "unpaid")),
    Setting("senior_engagement", "Senior statutory officials", (True, False),
            ("engaged and endorsing", "not engaged")),
    Setting("n_cbos", "Community organisations in the network", (10, 20, 30, 40),
            ("10", "20", "30", "40")),
)
BY_PARAMETER = {s.parameter: s for s in SETTINGS}


@dataclass(frozen=True)
class Situation:
    """A network's situation: the base scenario's values, with the settings the analyst chose."""

    values: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.values) - set(BY_PARAMETER))
        if unknown:
            raise ValueError(f"not a setting of the futures page: {unknown}; settings are "
                             f"{[s.parameter for s in SETTINGS]}")
        resolve(dict(self.values))  # a value out of the registry's range is refused here

    def parameters(self) -> dict[str, Any]:
        """The base scenario's overrides with this situation's settings on top."""
        return {**load_scenario(BASE_SCENARIO).overrides, **self.values}

    def value(self, parameter: str) -> Any:
        """The value of one setting here (the base scenario's, or the registry default)."""
        return resolve(self.parameters())[parameter]

    def with_(self, **changes: Any) -> Situation:
        """A copy with some settings changed."""
        return replace(self, values={**self.values, **changes})

    def describe(self) -> list[str]:
        """Each setting in words, in the page's order."""
        return [f"{s.label}: {s.describe(self.value(s.parameter))}" for s in SETTINGS]

    def scenario_toml(self, name: str = "my_network") -> str:
        """The situation as a scenario file that ``phase0 run``, ``compare`` and ``brief`` read."""
        lines = [f"# Written by phase0's futures page: {BASE_SCENARIO} with the settings below.",
                 f'name = "{name}"',
                 'description = "' + "; ".join(self.describe()).replace('"', "'") + '"',
                 "", "[parameters]"]
        for key, value in self.parameters().items():
            text = ("true" if value else "false") if isinstance(value, bool) else repr(value)
            lines.append(f"{key} = {text}")
        return "\n".join(lines) + "\n"


def alternative(situation: Situation, setting: Setting) -> Any:
    """The one change of ``setting`` that the effects bar tries from ``situation``.

    A switch is flipped; a number moves to the neighbouring choice towards the studied network's
    value (or away from it when already there), so the bar answers "what if this one thing were
    different?".
    """
    current = situation.value(setting.parameter)
    if isinstance(current, bool):
        return not current
    studied = resolve(load_scenario(REFERENCE).overrides)[setting.parameter]
    choices = list(setting.choices)
    here = min(range(len(choices)), key=lambda i: abs(choices[i] - current))
    step = 1 if studied > choices[here] else -1 if studied < choices[here] else 0
    if step == 0:
        step = -1 if here == len(choices) - 1 else 1
    return choices[min(max(here + step, 0), len(choices) - 1)]


@dataclass
class Answer:
    """One stage of an answer: world times of the situation and of the studied network."""

    times: pd.DataFrame  # columns who, world, outcome, time_months, censored
    worlds: int
    runs: int
    horizon: int

    def shares(self) -> pd.DataFrame:
        """Per who and outcome: the share of worlds within each span, and the median years."""
        rows = []
        for (who, outcome), sub in self.times.groupby(["who", "outcome"], sort=False):
            row: dict[str, Any] = {"who": who, "outcome": outcome, "worlds": len(sub)}
            for span in SPANS:
                row[f"within_{span // 12}y"] = share_within(sub, span)
            median = percentile(time_values(sub), 50)
            row["median_years"] = None if math.isinf(median) else round(median / 12)
            rows.append(row)
        return pd.DataFrame(rows)

    def curve(self, who: str, outcome: str) -> tuple[np.ndarray, np.ndarray]:
        """Months 0..horizon and the share of worlds whose time is within each month."""
        sub = self.times[(self.times["who"] == who) & (self.times["outcome"] == outcome)]
        t = time_values(sub)
        months = np.arange(self.horizon + 1)
        return months, (t[None, :] <= months[:, None]).mean(axis=1)


def _world_times(params: Mapping[str, Any], worlds: Sequence[dict[str, Any]],
                 ids: Sequence[int], seeds: Sequence[int], horizon: int, who: str
                 ) -> pd.DataFrame:
    """Every world's time to each outcome under ``params`` (one engine call for all runs)."""
    params = scenario_in_worlds(params)
    batch = [{**w, **params, "horizon_months": horizon} for w in worlds for _ in seeds]
    results = run_batch(batch, [s for w in ids for s in world_seeds(seeds, w)])
    rows = []
    for k, world in enumerate(ids):
        mine = results[k * len(seeds):(k + 1) * len(seeds)]
        for outcome in HEADLINE:
            censored = [r.summary[f"{outcome}_censored"] for r in mine]
            months = [np.nan if c else r.summary[f"{outcome}_months"]
                      for r, c in zip(mine, censored, strict=True)]
            t = world_time(months, censored)
            rows.append({"who": who, "world": world, "outcome": outcome,
                         "time_months": np.nan if math.isinf(t) else t,
                         "censored": math.isinf(t)})
    return pd.DataFrame(rows)


class Futures:
    """A situation answered over the plausible worlds, in stages of more worlds.

    Worlds are taken in one fixed order (a seeded shuffle of the ensemble), so each stage adds
    worlds to the last and every situation meets the same worlds with the same run seeds: a
    difference between two answers is the settings', not chance's.
    """

    def __init__(self, parameter_sets: str = "posterior", *, runs: int = RUNS, seed: int = 2012,
                 horizon: int = WORLD_HORIZON) -> None:
        ids, sets = load_worlds(parameter_sets)
        order = np.random.default_rng(seed).permutation(len(sets))
        self.ids = [ids[i] for i in order]
        self.sets = [sets[i] for i in order]
        self.seeds = common_seeds(seed, runs)
        self.horizon = horizon
        # World times by (who, parameters, first world, last world): a refinement adds blocks of
        # worlds to those already run, and the studied network is run once per block. Guarded
        # by a lock, as one Futures serves every session of the page.
        self._blocks: dict[tuple[Any, ...], pd.DataFrame] = {}
        self._lock = threading.Lock()

    def _times(self, params: Mapping[str, Any], start: int, stop: int, who: str
               ) -> pd.DataFrame:
        """World times of worlds ``start`` to ``stop`` (cached)."""
        key = (who, tuple(sorted((k, repr(v)) for k, v in params.items())), start, stop)
        with self._lock:
            cached = self._blocks.get(key)
        if cached is None:
            cached = _world_times(params, self.sets[start:stop], self.ids[start:stop],
                                  self.seeds, self.horizon, who)
            with self._lock:
                self._blocks[key] = cached
        return cached

    def _span(self, params: Mapping[str, Any], worlds: int, who: str) -> pd.DataFrame:
        """World times of the first ``worlds`` worlds, from whole blocks of :data:`BLOCK`."""
        edges = [*range(0, worlds, BLOCK), worlds]
        return pd.concat([self._times(params, a, b, who)
                          for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a],
                         ignore_index=True)

    def answer(self, situation: Situation, worlds: int, *, who: str = "your network",
               reference: bool = True) -> Answer:
        """The situation (and the studied network, when ``reference``) in the first ``worlds``."""
        worlds = min(worlds, len(self.sets))
        parts = [self._span(situation.parameters(), worlds, who)]
        if reference:
            parts.append(self._span(load_scenario(REFERENCE).overrides, worlds,
                                    "the studied network"))
        return Answer(pd.concat(parts, ignore_index=True), worlds, len(self.seeds),
                      self.horizon)

    def stages(self, situation: Situation, first: int = FIRST_WORLDS,
               total: int = ALL_WORLDS, step: int | None = None) -> Iterator[Answer]:
        """A first answer from ``first`` worlds, then ``step`` more worlds at a time.

        ``step`` ``None``: the full answer at once. Each answer adds worlds to the last, up to
        ``total``.
        """
        yield self.answer(situation, first)
        worlds = first
        while worlds < total:
            worlds = min(total, worlds + step) if step else total
            yield self.answer(situation, worlds)

    def changes(self, situation: Situation, worlds: int) -> dict[str, tuple[Any, Answer]]:
        """Each setting's one change (:func:`alternative`) and its answer in ``worlds`` worlds."""
        return dict(self.each_change(situation, worlds))

    def each_change(self, situation: Situation, worlds: int
                    ) -> Iterator[tuple[str, tuple[Any, Answer]]]:
        """:meth:`changes` one setting at a time, so a caller can stop between them."""
        for setting in SETTINGS:
            value = alternative(situation, setting)
            yield setting.parameter, (value, self.answer(
                situation.with_(**{setting.parameter: value}), worlds, reference=False))

    def effects(self, situation: Situation, worlds: int, outcome: str = "engagement",
                span: int = EFFECT_SPAN) -> pd.DataFrame:
        """How one change of each setting moves the share of worlds within ``span`` months.

        One row per setting: its value now, the value tried (:func:`alternative`), the share
        now and with the change, and the difference; largest movement first.
        """
        base = self.answer(situation, worlds, reference=False)
        return effect_table(situation, base, self.changes(situation, worlds), outcome, span)


def effect_table(situation: Situation, base: Answer, changes: Mapping[str, tuple[Any, Answer]],
                 outcome: str = "engagement", span: int = EFFECT_SPAN) -> pd.DataFrame:
    """How each change moves the share of worlds within ``span`` months (largest first).

    ``changes`` is :meth:`Futures.changes`' answer (or part of it): one row per setting in it.
    """
    now = _share(base, outcome, span)
    rows = []
    for parameter, (value, changed) in changes.items():
        setting = BY_PARAMETER[parameter]
        share = _share(changed, outcome, span)
        rows.append({"parameter": parameter, "label": setting.label,
                     "now": setting.describe(situation.value(parameter)),
                     "tried": setting.describe(value), "share_now": now,
                     "share_changed": share, "difference": share - now})
    out = pd.DataFrame(rows, columns=["parameter", "label", "now", "tried", "share_now",
                                      "share_changed", "difference"])
    return out.reindex(out["difference"].abs().sort_values(ascending=False).index
                       ).reset_index(drop=True)


def _share(answer: Answer, outcome: str, span: int) -> float:
    return share_within(answer.times[answer.times["outcome"] == outcome], span)


def write_situation_brief(situation: Situation, out: Path, name: str = "my_network",
                          worlds: int | None = 100) -> Path:
    """The brief of ``phase0 brief --scenario out/NAME.toml --out out/brief``, for a situation.

    Writes the situation's scenario file into ``out`` and the brief into ``out/brief`` (a
    folder the brief replaces whole), with the
    command's defaults (``worlds`` plausible worlds spread through the ensemble, 8 runs each,
    to 30 years) but one worker process: the page that calls it serves others meanwhile.
    Returns the brief's path.
    """
    from experiments.policy.brief import Sources, write_brief
    from experiments.policy.brief_own import OwnRun

    out.mkdir(parents=True, exist_ok=True)
    scenario = out / f"{name}.toml"
    scenario.write_text(situation.scenario_toml(name), encoding="utf-8")
    return write_brief(out / "brief", str(scenario), Sources(), overwrite=True,
                       own_run=OwnRun(worlds=worlds, workers=1))
