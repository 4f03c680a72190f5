"""Turnover of statutory officials.

Evidence: Relational resources, CBOs learned to link up 'with the people who are above them, who
are more likely to never leave their chair'; so each rank has its own turnover, lower for
executives and senior managers. The rates themselves are assumptions.
"""

from __future__ import annotations

from simulation.compiled import jit


@jit
def monthly_leaving_probability(annual_rate: float) -> float:
    """Monthly probability of leaving that compounds to ``annual_rate`` over twelve months."""
    return 1.0 - (1.0 - annual_rate) ** (1.0 / 12.0)


@jit
def leaves(u: float, monthly_probability: float) -> bool:
    """Whether an official leaves this month, given a uniform ``u``."""
    return u < monthly_probability


@jit
def champion_present(present: bool, u: float, leave_rate: float, arrival_rate: float) -> bool:
    """Whether a senior champion is in post after this month, given a uniform ``u``.

    A champion moves on with monthly probability ``leave_rate``; while there is none, one
    arrives with probability ``arrival_rate``. Senior officials engage while there is a champion.
    Evidence: Symbolic contexts, leaders who 'endorse coproduction efforts in early stages and
    later, champion new modes of working'; that champions come and go at random, beyond the
    turnover of ranks, is an assumption.
    """
    return u >= leave_rate if present else u < arrival_rate
