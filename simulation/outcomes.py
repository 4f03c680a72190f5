"""Outcome detection: the first month a condition starts to hold for a sustained period."""

from __future__ import annotations

import numpy as np

NOT_REACHED = -1


def update_sustained(
    condition: np.ndarray,
    run_start: np.ndarray,
    reached: np.ndarray,
    month: int,
    hold_months: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Track runs of a condition and record the start of the first run that lasts long enough.

    ``run_start`` is the month the current run of the condition began (``NOT_REACHED`` when the
    condition does not hold); ``reached`` is the start month of the first run that held for
    ``hold_months`` months, or ``NOT_REACHED``. A run still too short at the horizon leaves the
    outcome censored.
    """
    run_start = np.where(condition, np.where(run_start < 0, month, run_start), NOT_REACHED)
    done = (reached < 0) & condition & (month - run_start + 1 >= hold_months)
    reached = np.where(done, run_start, reached)
    return run_start, reached
