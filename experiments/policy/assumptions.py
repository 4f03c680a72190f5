"""Which assumptions decide each answer: a given-data sensitivity analysis over the worlds.

The calibration's ensemble holds plausible worlds (parameter sets that fit the evidence); a
comparison or an explorer gives one value per world (a time, a delay, whether a headline holds
in that world). Which parameters decide that value? The ensemble's parameters are correlated
(the calibration ties them together), so a variance decomposition on an independent design
(Saltelli's Sobol indices) does not apply; the PAWN index does, from the given data alone
(Pianosi and Wagener 2018; SALib's ``pawn.analyze``): for each parameter, the worlds are cut
into ``slides`` slices by the parameter's quantiles and the Kolmogorov-Smirnov distance between
each slice's values and all values is taken; the median over slices is the index (0: the
parameter does not matter; 1: it decides everything).

A finite ensemble gives every parameter some index by chance. The noise levels come from
shuffling the values across worlds (seeded, :data:`PERMUTATIONS` times): in each shuffle, the
largest median index and the largest maximum index of any parameter; their 97.5th percentiles
are the levels. A parameter stands out from chance when its median or its maximum index is above
its level (the maximum catches a parameter that decides the answer in one end of its range
only); with both levels, some parameter stands out by chance alone in about 5% of analyses, so
naming one is a finding. Those that stand out come first, each group by median index. With fewer
than ``10 x slides`` worlds the slices are fewer (at least :data:`MIN_PER_SLIDE` worlds in
each, at least two slices).

For a yes/no value ("the headline holds in this world") :func:`decisive_parameters` also says
where it fails, in words: the decile of the parameter that best separates the worlds where it
holds from those where it fails (the largest difference between the shares of failing and of
holding worlds beyond it, Youden's J), e.g. "it fails mostly where `project_capacity` is above
0.8 (fails in 70% of the worlds there, 5% elsewhere)".

The values per world come from :func:`scenario_contrasts` (a scenario against the studied
network, from a comparison's ``world_times.csv``), :func:`grid_holds` (a funding cell, from the
explorer's ``grid_worlds.csv``) and :func:`runway_holds` (a runway, from ``runway_worlds.csv``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: Slices per parameter (SALib's default, Pianosi and Wagener's recommendation).
SLIDES = 10
#: Shuffles of the values for the noise levels.
PERMUTATIONS = 200
#: Fewest worlds in a slice: fewer worlds, fewer slices.
MIN_PER_SLIDE = 10
#: Quantile of the shuffles' largest indices taken as each noise level (0.975 for the median
#: and the maximum: together, a 5% chance that some parameter stands out by chance alone).
NOISE_QUANTILE = 0.975
#: Two world times closer than this (months) are the same (as compare.TIE_MONTHS).
TIE_MONTHS = 1.0
#: A parameter with one value in more than this share of the worlds is not analysed.
MAX_MODAL_SHARE = 0.5
#: Columns of an ensemble that are not parameters.
NOT_PARAMETERS = ("world", "particle", "weight", "distance")


def load_ensemble(path: Path | str) -> pd.DataFrame:
    """The worlds' parameters, indexed by ``world`` (numeric parameter columns only)."""
    df = pd.read_csv(path)
    if "world" not in df.columns:
        df.insert(0, "world", range(len(df)))
    df = df.set_index("world")
    cols = [c for c in df.columns if c not in NOT_PARAMETERS
            and pd.api.types.is_numeric_dtype(df[c])]
    return df[cols].astype(float)


def parameters_from_manifest(manifest: Mapping[str, Any]) -> pd.DataFrame | None:
    """The worlds' parameters as a comparison recorded them (``parameter_sets``, ``world_ids``)."""
    sets, ids = manifest.get("parameter_sets"), manifest.get("world_ids")
    if not sets or not ids or len(sets) != len(ids):
        return None
    df = pd.DataFrame(list(sets), index=pd.Index([int(i) for i in ids], name="world"))
    return df.select_dtypes(include=["number", "bool"]).astype(float)


def varies(values: pd.Series) -> bool:
    """Whether a parameter varies enough among the worlds to be analysed."""
    counts = values.value_counts(dropna=True)
    return len(counts) > 1 and counts.iloc[0] <= MAX_MODAL_SHARE * counts.sum()


def _is_binary(y: np.ndarray) -> bool:
    values = np.unique(y[~np.isnan(y)])
    return bool(values.size) and set(values.tolist()) <= {0.0, 1.0}


def _pawn(X: np.ndarray, y: np.ndarray, names: list[str], slides: int) -> dict[str, np.ndarray]:
    from SALib.analyze import pawn

    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    # no seed: PAWN on given data draws nothing (SALib's seed would reset NumPy's global state)
    return pawn.analyze(problem, X, y, S=slides)


def slice_ids(X: np.ndarray, slides: int) -> np.ndarray:
    """Each world's slice of each parameter, as SALib cuts them (-1: in none).

    Slice ``s`` of a parameter holds the worlds whose value lies in ``[q_s, q_{s+1})``, ``q``
    its quantiles at 0, 1/slides, ..., 1 (so the largest value is in none, as in SALib).
    """
    ids = np.full(X.shape, -1)
    at = np.arange(0, 1 + 1 / slides, 1 / slides)
    for d in range(X.shape[1]):
        q = np.nanquantile(X[:, d], at)
        s = np.searchsorted(q, X[:, d], side="right") - 1
        inside = (s >= 0) & (s < slides)
        inside[inside] &= X[inside, d] < q[s[inside] + 1]
        ids[:, d] = np.where(inside, s, -1)
    return ids


def _pawn_fast(ids: np.ndarray, y: np.ndarray, slides: int) -> tuple[np.ndarray, np.ndarray]:
    """PAWN medians and maxima as SALib computes them (same slices, same statistic).

    ``ids``: :func:`slice_ids`. For the noise level, where SALib's exact Kolmogorov-Smirnov
    p-values (computed and discarded) would cost seconds per shuffle; all parameters at once,
    from counts of each value in each slice. ``tests/test_assumptions.py`` checks the two agree.
    """
    points, codes = np.unique(y, return_inverse=True)
    u, d = points.size, ids.shape[1]
    cdf_all = np.cumsum(np.bincount(codes, minlength=u)) / y.size
    keep = ids >= 0
    cell = (np.arange(d)[None, :] * slides + ids) * u + codes[:, None]
    counts = np.bincount(cell[keep], minlength=d * slides * u).reshape(d, slides, u)
    sizes = counts.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        ks = np.abs(np.cumsum(counts, axis=2) / sizes[:, :, None] - cdf_all).max(axis=2)
    ks[sizes == 0] = np.nan
    with np.errstate(all="ignore"):
        return np.nanmedian(ks, axis=1), np.nanmax(ks, axis=1)


def round_value(value: float) -> str:
    """A threshold in words: two significant figures, never in scientific notation."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    digits = 1 - int(math.floor(math.log10(abs(value))))
    rounded = round(value, digits)
    return f"{rounded:.{max(digits, 0)}f}".rstrip("0").rstrip(".") if digits > 0 \
        else f"{rounded:.0f}"


def _split(x: np.ndarray, y: np.ndarray, binary: bool) -> dict[str, Any] | None:
    """The decile of ``x`` that best separates ``y``, and on which side the effect lies.

    Binary ``y`` (1 = holds): the side where failing worlds are over-represented most (Youden's
    J). Otherwise: the side whose median ``y`` exceeds the other's most.
    """
    best: dict[str, Any] | None = None
    for t in np.unique(np.quantile(x, np.arange(1, 10) / 10)):
        above = x > t
        if above.all() or not above.any():
            continue
        for side, there in (("above", above), ("below", ~above)):
            if binary:
                fails = y < 0.5
                if fails.all() or not fails.any():
                    return None
                score = there[fails].mean() - there[~fails].mean()
                values = (float(fails[there].mean()), float(fails[~there].mean()))
            else:
                values = (float(np.median(y[there])), float(np.median(y[~there])))
                score = values[0] - values[1]
            if best is None or score > best["score"] + 1e-12:
                best = {"score": float(score), "threshold": float(t), "side": side,
                        "there": values[0], "elsewhere": values[1]}
    return best


def _phrase(name: str, split: dict[str, Any] | None, binary: bool) -> str:
    if split is None:
        return ""
    where = f"`{name}` is {split['side']} {round_value(split['threshold'])}"
    if binary:
        return (f"it fails mostly where {where} (fails in {split['there']:.0%} of the worlds "
                f"there, {split['elsewhere']:.0%} elsewhere)")
    return (f"it is largest where {where} (median {split['there']:.3g} there, "
            f"{split['elsewhere']:.3g} elsewhere)")


def decisive_parameters(X: pd.DataFrame, y: pd.Series | np.ndarray | list, top: int = 3, *,
                        slides: int = SLIDES, seed: int = 0, permutations: int = PERMUTATIONS,
                        binary: bool | None = None) -> pd.DataFrame:
    """The ``top`` parameters that decide ``y`` across worlds, by their PAWN index.

    ``slides`` (fewer with few worlds, see the module's notes) is SALib's ``S``.

    ``X``: one row per world, one column per parameter. ``y``: one value per world (a Series
    indexed like ``X`` is aligned to it; otherwise by position); worlds with a missing value
    are left out. Parameters that hardly vary among the worlds (one value in more than
    :data:`MAX_MODAL_SHARE` of them, as when the worlds repeat a few calibration particles) are
    skipped: their slices would compare a handful of worlds with the rest. ``binary``: ``y``
    says whether a headline holds (1) or fails (0) in each world (default: guessed from the
    values).

    Returns one row per parameter, the most decisive first: ``parameter``, ``pawn_median``,
    ``pawn_max`` (over the slices), ``noise_median`` and ``noise_max`` (the noise levels, see
    the module's notes), ``above_noise`` (median or maximum above its noise
    level; these come first), ``worlds``, and ``threshold``, ``side`` ('above' or 'below'),
    ``there``, ``elsewhere`` and ``phrase``: for binary ``y`` the shares failing beyond and
    within the threshold ("it fails mostly where `p` is above 0.8 (...)"); otherwise ``y``'s
    medians ("it is largest where ..."). Deterministic: the shuffles come from ``seed``.
    """
    if isinstance(y, pd.Series) and isinstance(X, pd.DataFrame):
        y = y.reindex(X.index)
    values = np.asarray(y, dtype=float)
    if values.shape[0] != len(X):
        raise ValueError(f"y has {values.shape[0]} values for {len(X)} worlds")
    keep = ~np.isnan(values)
    frame = X.loc[keep] if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X)[keep])
    values = values[keep]
    frame = frame.loc[:, [varies(frame[c]) for c in frame.columns]].astype(float)
    binary = _is_binary(values) if binary is None else binary
    columns = ["parameter", "pawn_median", "pawn_max", "noise_median", "noise_max",
               "above_noise", "worlds",
               "threshold", "side", "there", "elsewhere", "phrase"]
    if frame.shape[1] == 0 or values.size < 2 or np.unique(values).size < 2:
        return pd.DataFrame(columns=columns)
    names = [str(c) for c in frame.columns]
    data = frame.to_numpy()
    slides = min(slides, max(2, values.size // MIN_PER_SLIDE))
    s = _pawn(data, values, names, slides)
    rng = np.random.default_rng(seed)
    ids = slice_ids(data, slides)
    # the largest index any parameter gets by chance, shuffle by shuffle
    null = np.array([[np.nanmax(v) for v in _pawn_fast(ids, rng.permutation(values), slides)]
                     for _ in range(permutations)])
    noise_med, noise_max = np.quantile(null, NOISE_QUANTILE, axis=0)
    table = pd.DataFrame({"parameter": names, "pawn_median": s["median"],
                          "pawn_max": s["maximum"]})
    table["above_noise"] = (table.pawn_median > noise_med) | (table.pawn_max > noise_max)
    table = table.sort_values(["above_noise", "pawn_median", "pawn_max", "parameter"],
                              ascending=[False, False, False, True], kind="mergesort").head(top)
    rows = []
    for r in table.itertuples(index=False):
        split = _split(frame[r.parameter].to_numpy(), values, binary)
        rows.append({"parameter": r.parameter, "pawn_median": round(float(r.pawn_median), 4),
                     "pawn_max": round(float(r.pawn_max), 4),
                     "noise_median": round(float(noise_med), 4),
                     "noise_max": round(float(noise_max), 4),
                     "above_noise": bool(r.above_noise), "worlds": int(values.size),
                     "threshold": split["threshold"] if split else np.nan,
                     "side": split["side"] if split else "",
                     "there": split["there"] if split else np.nan,
                     "elsewhere": split["elsewhere"] if split else np.nan,
                     "phrase": _phrase(r.parameter, split, binary)})
    return pd.DataFrame(rows, columns=columns)


# ---------------------------------------------------------------- values per world

def at_horizon(df: pd.DataFrame) -> pd.Series:
    """World times with the censored ones (and any missing) counted at their horizon."""
    h = df["horizon_months"].astype(float)
    return df["time_months"].astype(float).where(~df["censored"].astype(bool), h).fillna(h)


def scenario_contrasts(times: pd.DataFrame, reference: str = "tpn_baseline") -> pd.DataFrame:
    """Per scenario, outcome and world: its time minus ``reference``'s, and whether later.

    ``times`` is a comparison's ``world_times.csv`` (``scenario``, ``world``, ``outcome``,
    ``horizon_months``, ``time_months``, ``censored``). A censored world time counts at the
    horizon, so two censored times are the same. Columns: ``scenario``, ``outcome``,
    ``world``, ``delay_months``, ``later`` (at least :data:`TIE_MONTHS` later), ``earlier``,
    ``beyond`` (the scenario not within the horizon), ``both_beyond`` (neither).
    """
    df = times.copy()
    df["t"] = at_horizon(df)
    ref = df[df["scenario"] == reference].set_index(["outcome", "world"])
    if ref.empty:
        raise ValueError(f"no world times for the reference scenario '{reference}'")
    rows = []
    for (scenario, outcome), sub in df[df["scenario"] != reference].groupby(
            ["scenario", "outcome"], sort=False):
        base = ref.loc[outcome].reindex(sub["world"])
        delay = sub["t"].to_numpy() - base["t"].to_numpy()
        beyond = sub["censored"].to_numpy(bool) & base["censored"].to_numpy(bool)
        rows.append(pd.DataFrame({
            "scenario": scenario, "outcome": outcome, "world": sub["world"].to_numpy(),
            "delay_months": delay, "later": delay >= TIE_MONTHS,
            "earlier": delay <= -TIE_MONTHS,
            "beyond": sub["censored"].to_numpy(bool), "both_beyond": beyond}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["scenario", "outcome", "world", "delay_months", "later", "earlier",
                 "beyond", "both_beyond"])


def reached_within(df: pd.DataFrame, within: float | None = None) -> pd.Series:
    """Per row of a per-world table: whether the world's time is within ``within`` months.

    ``within`` None: within the horizon (not censored).
    """
    reached = ~df["censored"].astype(bool)
    if within is not None:
        reached &= df["time_months"].astype(float).fillna(np.inf) <= within
    return reached


def grid_holds(grid: pd.DataFrame, cell: Mapping[str, Any], outcome: str = "engagement",
               within: float | None = None) -> pd.Series:
    """Per world: whether ``outcome`` comes within ``within`` months in one funding cell.

    ``grid`` is the explorer's ``grid_worlds.csv``; ``cell`` its ``core_funding``,
    ``kpi_tied``, ``contract_months`` and ``contract_gap_months``. Indexed by world.
    """
    mask = grid["outcome"] == outcome
    for key, value in cell.items():
        mask &= grid[key].astype(float) == float(value)
    sub = grid[mask]
    return pd.Series(reached_within(sub, within).to_numpy(), index=sub["world"].to_numpy(),
                     name="holds")


def runway_holds(runway: pd.DataFrame, regime: str, runway_months: float,
                 within: float | None = None, outcome: str = "engagement") -> pd.Series:
    """Per world: whether ``outcome`` comes within ``within`` months at one regime's runway.

    ``runway`` is the explorer's ``runway_worlds.csv``. Indexed by world.
    """
    sub = runway[(runway["regime"] == regime) & (runway["outcome"] == outcome)
                 & (runway["runway_months"].astype(float) == float(runway_months))]
    return pd.Series(reached_within(sub, within).to_numpy(), index=sub["world"].to_numpy(),
                     name="holds")
