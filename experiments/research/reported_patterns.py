"""The patterns the paper reports, measured in one parameter set (pattern-oriented modelling).

Grimm et al. (2005): a model earns trust by reproducing several patterns at once. Each pattern
here compares restricted mean times to the 180-month horizon over 64 common-seed runs, with an
effect-size floor (``FLOOR`` months, not a p-value): it holds when the difference is at least the
floor, and is gone below it. Each also has an ablation: with the responsible mechanism switched
off, the pattern should go.

The measures run in the registry defaults (``world`` empty: ``tests/test_patterns.py``) or in
one plausible world of the calibration (its behaviour values, each scenario's own settings
applied by :func:`experiments.research.worlds.scenario_in_worlds`). Over the worlds they say
which of the patterns outside the calibration targets the posterior reproduces
(``phase0 check-calibration``), and which worlds may serve as the registry defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from experiments.research.compare import common_seeds
from experiments.research.survival import Survival, kaplan_meier
from experiments.research.worlds import scenario_in_worlds, world_seeds
from experiments.support.scenarios import load_scenario
from simulation import run_batch

#: Runs per scenario, on common seeds (root seed ``SEED``) so that contrasts are paired.
RUNS = 64
SEED = 7
#: A pattern holds at a difference of at least this many months, and is gone below it.
FLOOR = 12.0

BROKER_SWITCHED_OFF: dict[str, Any] = {
    "mediation_effect": 0.0, "attendance_trust_weight": 0.0, "venue_effect": 0.0,
    "annual_conference": False, "cbo_meeting_share": 0.0, "meetings_per_staff": 0.2,
    "unmediated_skill_share": 1.0, "core_funding": False,
}
KPI_HARMLESS: dict[str, Any] = {"kpi_effect": 0.0, "kpi_recruitment": 0.0, "core_capacity": 1.0,
                                "project_capacity": 1.0, "broker_persistence": 1.0}
SENIOR_NOT_NEEDED: dict[str, Any] = {"pz_endorsement_threshold": 0.0, "senior_effect": 0.0,
                                     "org_diffusion": 0.5, "skill_gain": 0.0}
NO_HEAD_START: dict[str, Any] = {"attendance_trust_weight": 0.0, "mediation_effect": 0.0}
NO_HARM_NO_GATE: dict[str, Any] = {"harm_weight": 0.0, "acknowledgement_weight": 0.0,
                                   "su_learning": 1.0}


class PatternRuns:
    """Runs of the standard scenarios in one parameter set, cached by their settings.

    ``world`` holds behaviour values (a world of the ensemble); empty means the registry
    defaults and each scenario file exactly as it is. With ``world_id`` the runs use that
    world's own seeds (:func:`experiments.research.worlds.world_seeds`), the same in every
    scenario of the world, so a share of worlds does not hang on the same few places.
    """

    def __init__(self, world: Mapping[str, Any] | None = None, seed: int = SEED,
                 runs: int = RUNS, world_id: int | None = None) -> None:
        self.world = dict(world or {})
        common = common_seeds(seed, runs)
        self.seeds = common if world_id is None else world_seeds(common, world_id)
        self._cache: dict[tuple, list] = {}

    def scenario(self, name: str, **ablation: Any) -> dict[str, Any]:
        """A scenario's settings in this parameter set, with ``ablation`` over them."""
        overrides = load_scenario(name).overrides
        if not self.world:
            return {**overrides, **ablation}
        return {**self.world, **scenario_in_worlds(overrides), **ablation}

    def runs(self, params: Mapping[str, Any]) -> list:
        """The runs of ``params`` on the common seeds (run once, then cached)."""
        key = tuple(sorted(params.items()))
        if key not in self._cache:
            self._cache[key] = run_batch(dict(params), self.seeds, timeseries=False)
        return self._cache[key]

    def fit(self, params: Mapping[str, Any], outcome: str = "phase_zero") -> Survival:
        """Kaplan-Meier estimate of ``outcome``'s month over the runs of ``params``."""
        runs = self.runs(params)
        h = runs[0].summary["horizon_months"]
        months = np.array([h if r.summary[f"{outcome}_months"] is None
                           else r.summary[f"{outcome}_months"] for r in runs], float)
        censored = np.array([r.summary[f"{outcome}_censored"] for r in runs])
        return kaplan_meier(months, censored, h)

    def rmst(self, params: Mapping[str, Any], outcome: str = "phase_zero") -> float:
        """Restricted mean time of ``outcome`` to the horizon."""
        return self.fit(params, outcome).rmst

    def difference(self, a: str, b: str, outcome: str = "phase_zero", **ablation: Any) -> float:
        """Restricted mean time of scenario ``b`` minus scenario ``a``, same ablation in both."""
        return (self.rmst(self.scenario(b, **ablation), outcome)
                - self.rmst(self.scenario(a, **ablation), outcome))


@dataclass(frozen=True)
class Result:
    """One pattern in one parameter set: whether it holds, and whether its ablation removes it."""

    pattern: str
    value: float
    holds: bool
    gone_without_mechanism: bool | None = None
    #: Further measures the verdict rests on, by name (written beside the value).
    details: tuple[tuple[str, float], ...] = ()


def _contrast(name: str, b: str, ablation: Mapping[str, Any], floor: float = FLOOR
              ) -> Callable[[PatternRuns, bool], Result]:
    def measure(p: PatternRuns, ablate: bool) -> Result:
        d = p.difference("tpn_baseline", b)
        gone = abs(p.difference("tpn_baseline", b, **ablation)) < FLOOR if ablate else None
        return Result(name, d, d >= floor, gone)
    return measure


def _four_years(p: PatternRuns, ablate: bool) -> Result:
    median = p.fit(p.scenario("tpn_baseline")).median
    gone = (p.fit(p.scenario("tpn_baseline", trust_gain=0.0)).median is None) if ablate else None
    value = float("inf") if median is None else float(median)
    return Result("1a", value, median is not None and 36 <= median <= 72, gone)


def _users_last(p: PatternRuns, ablate: bool) -> Result:
    base = p.scenario("tpn_baseline")
    gap = p.rmst(base, "engagement") - p.rmst(base)
    s = [r.summary for r in p.runs(base)]
    after = np.mean([not r["phase_zero_censored"] and (
        r["engagement_censored"] or r["engagement_months"] > r["phase_zero_months"]) for r in s])
    engaged = np.mean([not r["engagement_censored"] for r in s])
    gone = None
    if ablate:
        ablated = p.scenario("tpn_baseline", **NO_HARM_NO_GATE)
        gone = p.rmst(ablated, "engagement") - p.rmst(ablated) < FLOOR
    return Result("1b", gap, bool(gap >= FLOOR and after >= 0.9 and engaged >= 0.75), gone,
                  (("after", float(after)), ("engaged_within_horizon", float(engaged))))


def _members_first(p: PatternRuns, ablate: bool) -> Result:
    def gap(params: dict[str, Any]) -> float:
        return p.rmst(params, "engagement_unlinked") - p.rmst(params, "engagement_linked")

    value = gap(p.scenario("tpn_baseline"))
    gone = gap(p.scenario("tpn_baseline", unlinked_reach=1.0)) < FLOOR if ablate else None
    return Result("2", value, value >= FLOOR, gone)


@dataclass(frozen=True)
class Pattern:
    """A pattern the paper reports, the passage it rests on and its measure."""

    key: str
    title: str
    passage: str
    ablation: str
    measure: Callable[[PatternRuns, bool], Result]


PATTERNS: tuple[Pattern, ...] = (
    Pattern("1a", "the studied network's phase zero: median 3 to 6 years",
            "Discussion: 'for 4 years before the first official coproduction activity began "
            "in 2012'", "trust_gain = 0", _four_years),
    Pattern("1b", "service users engage a year or more after phase zero ends, 75% within "
            "15 years", "Discussion: 'service user engagement cannot begin immediately'",
            "no history of harm, no acknowledgement gate, instant learning", _users_last),
    Pattern("2", "service users in a CBO engage earlier than those outside",
            "Discussion: 'many service users linked into the network through membership to "
            "CBOs'", "unlinked_reach = 1", _members_first),
    Pattern("3", "community venues shorten phase zero",
            "Symbolic contexts: community-owned spaces 'worked to level out power "
            "differentials'", "venue_effect = 0",
            _contrast("3", "statutory_venues", {"venue_effect": 0.0})),
    Pattern("4", "without the broker phase zero is much longer (3 x the floor)",
            "Discussion: TPN's linking work 'is a key part of phase zero'",
            "the broker's roles switched off", _contrast("4", "no_broker", BROKER_SWITCHED_OFF,
                                                         3 * FLOOR)),
    Pattern("5", "short KPI-tied contracts lengthen phase zero",
            "Discussion: 'time-bound project outcomes may undermine' coproduction",
            "KPI pressure harmless, full capacity paid",
            _contrast("5", "short_kpi_contracts", KPI_HARMLESS)),
    Pattern("6", "senior engagement shortens phase zero",
            "Symbolic contexts: engagement 'specifically targeted high-ranking statutory "
            "officials'", "endorsement not required, no senior effects",
            _contrast("6", "frontline_only", SENIOR_NOT_NEEDED)),
    Pattern("7", "unpaid contributions lengthen phase zero",
            "Discussion: remuneration avoided 'an overreliance on volunteerism'",
            "fatigue_rate = 0", _contrast("7", "volunteer_only", {"fatigue_rate": 0.0})),
    Pattern("8", "a new network takes longer than the studied one",
            "Research context: 'Since 2001, TPN has worked with marginalised communities'",
            "attendance independent of trust, no mediation",
            _contrast("8", "new_network", NO_HEAD_START)),
)
BY_KEY = {p.key: p for p in PATTERNS}


def measure_patterns(world: Mapping[str, Any] | None = None, ablate: bool = True,
                     seed: int = SEED, runs: int = RUNS, world_id: int | None = None
                     ) -> list[Result]:
    """Every pattern in one parameter set (``world``; empty: the registry defaults)."""
    p = PatternRuns(world, seed, runs, world_id)
    return [pattern.measure(p, ablate) for pattern in PATTERNS]


def world_patterns(world: Mapping[str, Any], ablate: bool, seed: int, world_id: int
                   ) -> dict[str, Any]:
    """One row: each pattern's value and whether it holds (and, with ``ablate``, goes)."""
    row: dict[str, Any] = {}
    for r in measure_patterns(world, ablate, seed, world_id=world_id):
        row[f"value:{r.pattern}"] = r.value
        row.update({f"value:{r.pattern}:{k}": v for k, v in r.details})
        row[f"holds:{r.pattern}"] = r.holds
        if ablate:
            row[f"gone:{r.pattern}"] = r.gone_without_mechanism
    return row


#: Distinct settings a world runs: the studied network and the seven it is contrasted with;
#: with the ablations also each pattern's ablated settings (22 in all).
SETTINGS, SETTINGS_WITH_ABLATIONS = 7, 22


def patterns_in_worlds(worlds: Sequence[Mapping[str, Any]], world_ids: Sequence[int],
                       seed: int, workers: int, ablate: bool = False, progress: bool = True
                       ) -> list[dict[str, Any]]:
    """:func:`world_patterns` of every world, on its own seeds, in ``workers`` processes."""
    from experiments.support.parallel import map_in_order

    runs_each = RUNS * (SETTINGS_WITH_ABLATIONS if ablate else SETTINGS)
    jobs = [(dict(w), ablate, seed, int(i)) for w, i in zip(worlds, world_ids, strict=True)]
    return map_in_order(world_patterns, jobs, [runs_each] * len(jobs), workers, progress,
                        desc="patterns")
