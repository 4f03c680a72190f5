"""Outcome detection: the first month a condition starts to hold for a sustained period."""

from __future__ import annotations

from simulation.compiled import jit

NOT_REACHED = -1


@jit
def update_sustained(condition: bool, run_start: int, reached: int, month: int,
                     hold_months: float) -> tuple[int, int]:
    """Track a run of a condition and record the start of the first run that lasts long enough.

    ``run_start`` is the month the current run of the condition began (``NOT_REACHED`` when the
    condition does not hold); ``reached`` is the start month of the first run that held for
    ``hold_months`` months, or ``NOT_REACHED``. A run still too short at the horizon leaves the
    outcome censored. Returns the new ``(run_start, reached)``.
    """
    if not condition:
        return NOT_REACHED, reached
    if run_start < 0:
        run_start = month
    if reached < 0 and month - run_start + 1 >= hold_months:
        reached = run_start
    return run_start, reached
