"""The paper's other patterns in the plausible worlds, and the worlds fit to be the defaults.

The calibration fits four targets. The paper reports more (``experiments.research.
reported_patterns``: community venues, the broker, KPI-tied contracts, senior engagement,
payment, a new network, members first, the four years, service users last). None of the
contrasts between scenarios was a calibration target, so the share of worlds in which each
holds is a check of the posterior against patterns held out of it. The patterns were written
into the mechanisms, though, so a pattern that holds in most worlds verifies the mechanisms
over the posterior rather than validating them.

The registry defaults are one joint point of the posterior. The tests check every pattern, with
its ablation, at the defaults, so the point is chosen among the worlds in which every pattern
holds and goes without its mechanism, on seeds of its own (not the tests'), and then the one
that is the studied network most often on fresh runs (:func:`.checks.point_check`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from experiments.research.calibrate.priors import distinct_worlds, priors
from experiments.research.reported_patterns import PATTERNS, patterns_in_worlds


def patterns_over_worlds(worlds: pd.DataFrame, seed: int, workers: int,
                         progress: bool = True) -> pd.DataFrame:
    """Every pattern (without ablations) in every world: one row a world of the ensemble.

    Each distinct parameter set runs once, on the seeds of its first copy (a world's own seeds,
    root ``seed``); a world drawn twice gets its first copy's row.
    """
    names = list(priors())
    first, to_first = distinct_worlds(worlds)
    rows = patterns_in_worlds(first[names].to_dict("records"), first["world"].tolist(), seed,
                              workers, ablate=False, progress=progress)
    by_first = pd.DataFrame(rows, index=first["world"].to_numpy())
    out = by_first.loc[to_first.to_numpy()].reset_index(drop=True)
    out.insert(0, "world", worlds["world"].to_numpy())
    out["holds:all"] = out[[f"holds:{p.key}" for p in PATTERNS]].all(axis=1)
    return out


def pattern_shares(table: pd.DataFrame) -> dict[str, float]:
    """The share of worlds in which each pattern holds (and all of them together)."""
    keys = [p.key for p in PATTERNS] + ["all"]
    return {k: float(table[f"holds:{k}"].mean()) for k in keys}


def eligible_points(worlds: pd.DataFrame, check: pd.DataFrame, patterns: pd.DataFrame,
                    screen: int, seed: int, workers: int, progress: bool = True
                    ) -> tuple[list[int], pd.DataFrame]:
    """Worlds fit to be the defaults, best first, and the ablation screen that chose them.

    Of the distinct worlds at distance 0 on the check in which every pattern holds, the
    ``screen`` best by their share of runs that are the studied network run every pattern's
    ablation too; those in which every pattern also goes without its mechanism are eligible.
    """
    names = list(priors())
    scored = worlds.assign(_net=check["studied_network"].to_numpy(),
                           _distance=check["distance"].to_numpy(),
                           _all=patterns["holds:all"].to_numpy())
    scored = scored[scored["world"].isin(distinct_worlds(worlds)[0]["world"])]
    order = scored[(scored["_distance"] == 0) & scored["_all"]].sort_values(
        ["_net", "world"], ascending=[False, True]).head(screen)
    rows = patterns_in_worlds(order[names].to_dict("records"), order["world"].tolist(), seed,
                              workers, ablate=True, progress=progress)
    keys = [p.key for p in PATTERNS]
    columns = [f"{c}:{k}" for k in keys for c in ("value", "holds", "gone")]
    table = pd.DataFrame(rows, columns=list(dict.fromkeys(
        [*columns, *(c for r in rows for c in r)])))
    table.insert(0, "world", order["world"].to_numpy())
    table["holds:all"] = table[[f"holds:{k}" for k in keys]].all(axis=1)
    table["gone:all"] = table[[f"gone:{k}" for k in keys]].astype(bool).all(axis=1)
    fit = table[table["holds:all"] & table["gone:all"]]
    return [int(w) for w in fit["world"]], table


def pattern_record(shares: dict[str, float], screened: pd.DataFrame) -> dict[str, Any]:
    """What the manifest records of the pattern check."""
    return {"pattern_shares": shares,
            "pattern_titles": {p.key: p.title for p in PATTERNS},
            "screened_for_point": int(len(screened)),
            "eligible_points": int((screened["holds:all"] & screened["gone:all"]).sum())}
