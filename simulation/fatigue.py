"""Volunteer fatigue of community organisations.

Evidence: Discussion, remuneration avoided 'an overreliance on volunteerism in response to
resource challenges, which has been problematic in other settings (Burgess, 2014)'; Symbolic
contexts, 'We can't just expect them to do it, do us favour continually without funding them'.
The functional form is an assumption.
"""

from __future__ import annotations

from simulation.compiled import jit


@jit
def update_fatigue(fatigue: float, meetings_attended: float, payment: float, rate: float,
                   recovery: float) -> float:
    """Fatigue after a month: unpaid meetings add to it, rest wears it off; stays in [0, 1]."""
    grown = fatigue + rate * meetings_attended * (1.0 - payment) - recovery * fatigue
    return min(max(grown, 0.0), 1.0)
