"""Acknowledgement of harm: the network-level state that gates service users' safety.

Evidence: Discussion, 'service user engagement cannot begin immediately; a history of abuse at
the hands of health services is recognised as the boundary and issue that must be acknowledged,
before forcing that type of engagement'; Outcome, 'Statutory organisations were praised for their
willingness to bear witness to the difficult history ... at these events [the annual conference],
which contributed to a process where longstanding power asymmetries are recognised'.
"""

from __future__ import annotations

from simulation.compiled import jit


@jit
def is_conference_month(month: int, period: int) -> bool:
    """Whether ``month`` (1-based) closes a conference period of ``period`` months.

    The conference is held in the last month of each period (every 12th month for an annual
    conference): the month within the period is an assumption.
    """
    return month % period == 0


@jit
def update_acknowledgement(acknowledgement: float, senior_attendance: float,
                           conference_gain: float, good_senior_meetings: float,
                           meeting_gain: float, decay: float) -> float:
    """Acknowledgement after a month.

    Rises with the share of senior officials who bear witness at a conference (the main
    channel) and, more slowly, per meeting between CBOs and a senior official, weighted by how
    meaningful it was (``good_senior_meetings``, a sum over meetings); decays slowly otherwise.
    Saturating forms are assumptions.
    """
    rise = conference_gain * senior_attendance + meeting_gain * good_senior_meetings
    a = acknowledgement + min(rise, 1.0) * (1.0 - acknowledgement)
    return min(max(a - decay * a, 0.0), 1.0)
