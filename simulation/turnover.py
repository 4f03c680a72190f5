"""Turnover of statutory officials.

Evidence: Relational resources, CBOs learned to link up 'with the people who are above them, who
are more likely to never leave their chair'; so each rank has its own turnover, lower for
executives and senior managers. The rates themselves are assumptions.
"""

from __future__ import annotations

import numpy as np


def monthly_leaving_probability(annual_rate: np.ndarray) -> np.ndarray:
    """Monthly probability of leaving that compounds to ``annual_rate`` over twelve months."""
    return 1.0 - (1.0 - annual_rate) ** (1.0 / 12.0)


def leavers(u: np.ndarray, monthly_probability: np.ndarray) -> np.ndarray:
    """Which officials leave this month, given uniforms ``u`` of the same shape."""
    return u < monthly_probability


def champion_present(present: np.ndarray, u: np.ndarray, leave_rate: np.ndarray,
                     arrival_rate: np.ndarray) -> np.ndarray:
    """Whether a senior champion is in post after this month, given uniforms ``u`` (R,).

    A champion moves on with monthly probability ``leave_rate``; while there is none, one
    arrives with probability ``arrival_rate``. Senior officials engage while there is a champion.
    Evidence: Symbolic contexts, leaders who 'endorse coproduction efforts in early stages and
    later, champion new modes of working'; that champions come and go at random, beyond the
    turnover of ranks, is an assumption.
    """
    return np.where(present, u >= leave_rate, u < arrival_rate)
