"""Checks of a finished calibration that its own run does not make.

- :func:`measurement_effect`: the outcome definitions (``kind = measurement`` in the registry:
  the engagement threshold and hold, the threshold definition of phase zero) stay fixed while
  calibrating. Here every world of the ensemble runs again on the posterior check's own seeds
  with one definition moved to an end of its sweep range, and the share of worlds meeting each
  target is compared with the fixed definitions. Only the definitions differ, so a difference is
  theirs, not the seeds'.
- :func:`point_check`: the registry defaults are one joint point of the posterior. The
  calibration names the world closest to the studied network on the check's 16 runs; chosen as
  the best of 1,000 on 16 runs, it flatters itself. Here it and the best worlds in which the
  paper's other patterns hold (:mod:`.pattern_check`) run again on many fresh, independent
  seeds, and the best of those is recommended (:func:`recommended_point`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from experiments.research.calibrate.ensemble import predictive
from experiments.research.calibrate.patterns import HELD_OUT, PAPER, Targets
from experiments.research.calibrate.priors import (
    base_parameters,
    distinct_worlds,
    evaluate_sets,
    priors,
    set_seeds,
)
from experiments.research.calibrate.seeds import seed_of
from simulation.parameters import REGISTRY


@dataclass(frozen=True)
class Definition:
    """One outcome definition moved away from the registry's value."""

    label: str
    values: dict[str, Any]


def measurement_definitions() -> list[Definition]:
    """Each measurement parameter the targets read, at each end of its sweep range.

    The engagement threshold and hold decide when the engagement outcome is reached (read by
    ``users_after_phase_zero``); the threshold definition of phase zero (a measurement option,
    with its own thresholds and hold) replaces the commissioning decision as the end of phase
    zero (read by the window and the order). The fieldwork share and skill targets read states,
    not outcomes, so no definition moves them.
    """
    out = []
    for name in ("engagement_threshold", "engagement_hold_months"):
        p = REGISTRY[name]
        for value in p.sweep:
            value = p.type(value)
            out.append(Definition(f"{name} {value:g} (registry {p.default:g})", {name: value}))
    out.append(Definition("phase zero ends by the threshold definition",
                          {"pz_by_threshold": True}))
    for name in ("pz_trust_threshold", "pz_hold_months"):
        p = REGISTRY[name]
        for value in p.sweep:
            value = p.type(value)
            out.append(Definition(f"threshold definition, {name} {value:g}",
                                  {"pz_by_threshold": True, name: value}))
    return out


def _shares(check: pd.DataFrame, targets: Targets) -> dict[str, float]:
    """The share of worlds meeting each target and all of them (distance 0)."""
    row = {k: float(check[f"meets:{k}"].mean())
           for k in [*targets.fitted, "studied_network", *HELD_OUT]}
    row["all_targets"] = float((check["distance"] == 0).mean())
    return row


def measurement_effect(worlds: pd.DataFrame, replicates: int, seed: int, workers: int,
                       definitions: Sequence[Definition] | None = None,
                       targets: Targets = PAPER, progress: bool = True
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per definition: the share of worlds meeting each target on the check's own seeds.

    ``seed`` is the calibration's root seed; the check's seeds derive from it as in the
    calibration, so the first row (the registry's definitions) reproduces its posterior check.
    Returns the summary table and the fixed definitions' per-world check (to compare with the
    committed ``predictive_worlds.csv``).
    """
    names = list(priors())
    sets = worlds[names]
    check_seed = seed_of("posterior_check", seed)
    fixed = predictive(sets, replicates, check_seed, workers, targets, progress,
                       "fixed definitions")
    rows = [{"definition": "the registry's definitions (as calibrated)", "changes": "",
             **_shares(fixed, targets)}]
    seeds = set_seeds(check_seed, len(sets), replicates)
    for d in definitions if definitions is not None else measurement_definitions():
        base = {**base_parameters(), **d.values}
        stats = evaluate_sets(sets, seeds, workers, targets, base=base, progress=progress,
                              desc=d.label[:24])
        met = predictive_met(stats, targets)
        rows.append({"definition": d.label,
                     "changes": ", ".join(f"{k}={v}" for k, v in d.values.items()),
                     **_shares(pd.concat([stats, met], axis=1), targets)})
    return pd.DataFrame(rows), fixed


def predictive_met(stats: pd.DataFrame, targets: Targets = PAPER) -> pd.DataFrame:
    """Which targets each scored set meets, as ``meets:`` columns."""
    from experiments.research.calibrate.patterns import meets

    return pd.DataFrame([meets(r, targets) for r in stats.to_dict("records")],
                        index=stats.index).add_prefix("meets:")


def point_check(worlds: pd.DataFrame, check: pd.DataFrame, point: int, candidates: int,
                runs: int, seed: int, workers: int, check_runs: int = 16,
                targets: Targets = PAPER, progress: bool = True,
                eligible: Sequence[int] | None = None) -> pd.DataFrame:
    """The point and the next best worlds of the check, on ``runs`` fresh seeds each.

    Candidates are the worlds with distance 0 on the check ordered by their share of runs that
    are the studied network (as the point was chosen), distinct parameter sets only: the
    ``candidates`` best, and with ``eligible`` also the ``candidates`` first of those worlds, in
    its order (so the table shows what choosing among the eligible costs). Returns one row a
    candidate: whether it is eligible, its share of runs meeting each target on the check
    (16 runs) and on the fresh runs, and the fresh distance.
    """
    names = list(priors())
    every = worlds.assign(_check_net=check["studied_network"].to_numpy(),
                          _check_distance=check["distance"].to_numpy())
    first, to_first = distinct_worlds(worlds)
    # the point as itself (a world may repeat an earlier one: its own check row is kept), the
    # others once each, the point's other copies left out
    scored = every[every["world"].isin(first["world"])]
    order = scored.sort_values(["_check_distance", "_check_net", "world"],
                               ascending=[True, False, True])
    order = order[order["world"] != to_first[point]]
    chosen = [every[every["world"] == point].head(1), order.head(candidates)]
    if eligible is not None:
        rank = {w: i for i, w in enumerate(eligible)}
        fit = order[order["world"].isin(rank)]
        fit = fit.iloc[fit["world"].map(rank).argsort(kind="stable")]
        chosen.append(fit.head(candidates))
    chosen = pd.concat(chosen).drop_duplicates(subset=["world"])
    fresh = evaluate_sets(chosen[names].reset_index(drop=True),
                          set_seeds(seed, len(chosen), runs), workers, targets,
                          progress=progress, desc="point check")
    out = pd.DataFrame({"world": chosen["world"].to_numpy(),
                        "calibration_point": chosen["world"].to_numpy() == point,
                        "eligible": (chosen["world"].map(to_first).isin(eligible).to_numpy()
                                     if eligible is not None else True),
                        "check_runs": check_runs,
                        "check_studied_network": chosen["_check_net"].to_numpy(),
                        "check_distance": chosen["_check_distance"].to_numpy(),
                        "fresh_runs": runs})
    for k in [*targets.fitted, "studied_network", *HELD_OUT, "distance"]:
        out[f"fresh_{k}"] = fresh[k].to_numpy()
    return out


def recommended_point(table: pd.DataFrame) -> int | None:
    """The eligible candidate at fresh distance 0 that is most often the studied network."""
    fit = table[table["eligible"] & (table["fresh_distance"] == 0)]
    if fit.empty:
        return None
    return int(fit.sort_values(["fresh_studied_network", "world"],
                               ascending=[False, True])["world"].iloc[0])


def point_summary(table: pd.DataFrame) -> dict[str, Any]:
    """The point's fresh figures and its rank among the candidates, for the manifest."""
    point = table[table["calibration_point"]].iloc[0]
    rank = int((table["fresh_studied_network"] > point["fresh_studied_network"]).sum()) + 1
    return {"world": int(point["world"]), "recommended": recommended_point(table),
            "check_studied_network": float(point["check_studied_network"]),
            "fresh_studied_network": float(point["fresh_studied_network"]),
            "fresh_distance": float(point["fresh_distance"]),
            "fresh_runs": int(point["fresh_runs"]),
            "rank_among_candidates": rank, "candidates": int(len(table))}
