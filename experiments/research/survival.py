"""Time-to-event summaries of outcomes, with censoring at the horizon.

Kaplan-Meier curves come from SciPy (``scipy.stats.ecdf`` on ``CensoredData``), not a
hand-written estimator. In this model every censored run is censored at the horizon, so below
the horizon the Kaplan-Meier estimate equals the plain proportion, and Wilson intervals for the
probability of reaching an outcome by a given month are exact in coverage terms.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: Months at which the probability of having reached an outcome is reported (3, 5, 10 years).
REPORT_MONTHS = (36, 60, 120)


@dataclass
class Survival:
    """Kaplan-Meier summary of one outcome over a set of runs."""

    n: int
    horizon: int
    median: float | None
    median_low: float | None
    median_high: float | None
    rmst: float
    censored_share: float
    reached_by: dict[int, tuple[float, float, float]]  # month -> (estimate, low, high)
    months: np.ndarray  # 0..horizon
    reached_curve: np.ndarray  # 1 - S(t) at each month
    reached_low: np.ndarray
    reached_high: np.ndarray


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``k / n`` (scipy's ``binomtest``)."""
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence, method="wilson")
    return float(ci.low), float(ci.high)


def kaplan_meier(months: np.ndarray, censored: np.ndarray, horizon: int,
                 confidence: float = 0.95) -> Survival:
    """Summarise event months (``censored`` runs did not reach the event by ``horizon``)."""
    months = np.asarray(months, dtype=float)
    censored = np.asarray(censored, dtype=bool)
    n = len(months)
    if n == 0:
        raise ValueError("no runs to summarise")
    grid = np.arange(horizon + 1)
    data = stats.CensoredData(uncensored=months[~censored],
                              right=np.full(int(censored.sum()), float(horizon)))
    sf = stats.ecdf(data).sf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # undefined bands where S is 0 or 1
        band = sf.confidence_interval(confidence, method="log-log")
        s = sf.evaluate(grid)
        low = np.where(np.isnan(band.low.evaluate(grid)), s, band.low.evaluate(grid))
        high = np.where(np.isnan(band.high.evaluate(grid)), s, band.high.evaluate(grid))
    reached_by = {}
    for m in REPORT_MONTHS:
        if m <= horizon:
            k = int(np.sum(~censored & (months <= m)))
            reached_by[m] = (k / n, *wilson_interval(k, n, confidence))
    return Survival(
        n=n, horizon=horizon,
        median=_first_at_or_below_half(grid, s),
        # The median's interval inverts the survival curve's pointwise band.
        median_low=_first_at_or_below_half(grid, low),
        median_high=_first_at_or_below_half(grid, high),
        rmst=float(s[:horizon].sum()),  # integral of the step function S over [0, horizon)
        censored_share=float(censored.mean()),
        reached_by=reached_by, months=grid, reached_curve=1.0 - s,
        reached_low=1.0 - high, reached_high=1.0 - low,
    )


def _first_at_or_below_half(grid: np.ndarray, s: np.ndarray) -> float | None:
    hit = np.flatnonzero(s <= 0.5)
    return float(grid[hit[0]]) if len(hit) else None


def format_months(value: float | None) -> str:
    """A month count for a table, or 'not reached'."""
    return "not reached" if value is None else f"{value:.0f}"
