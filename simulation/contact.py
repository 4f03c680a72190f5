"""Contact: who meets whom each month, and how good the meeting is.

Evidence: Symbolic contexts, 'preliminary engagements specifically targeted high-ranking
statutory officials, including executive directors and local government'; Relational resources,
'open dialogue at all levels of the partnership'; Discussion, contact 'mediated by the TPN
director as lead broker' and 'between groups with similar histories of shared oppression'.
"""

from __future__ import annotations

import numpy as np

from simulation.compiled import jit, phase


@jit
def meeting_capacity(broker_present: bool, broker_staff: int, meetings_per_staff: float,
                     capacity_factor: float, statutory_meetings: float,
                     max_meetings: int) -> float:
    """Expected meetings convened this month (fractional), at most ``max_meetings``.

    With a broker, staff convene ``meetings_per_staff`` each, scaled by what funding pays for.
    Without one, statutory bodies convene ``statutory_meetings`` at their own sites: the usual
    engagement practice the paper contrasts with the network's (an assumption).
    """
    if broker_present:
        return min(broker_staff * meetings_per_staff * capacity_factor, max_meetings)
    return min(statutory_meetings, max_meetings)


@jit
def slot_held(slot: int, capacity: float, u: float) -> bool:
    """Whether meeting slot ``slot`` is held: the first ``floor(capacity)`` are, one more by chance.

    The fractional last slot is held with probability equal to the fraction (drawn with ``u``).
    """
    whole = np.floor(capacity)
    return slot < whole or (slot == whole and u < capacity - whole)


@jit
def senior_share(senior_engagement: float, senior_priority: float, endorsement: float,
                 senior_fraction: float) -> float:
    """Probability that a CBO-statutory meeting is with an executive or senior manager.

    Early on the broker targets them with ``senior_priority``; as they come to endorse the work,
    attention returns to the proportional mix of ranks (``senior_fraction``). Zero when senior
    officials do not engage. The shift with endorsement is an assumption.
    """
    if senior_fraction <= 0:
        return 0.0
    share = senior_priority * (1.0 - endorsement) + senior_fraction * endorsement
    return senior_engagement * share


@jit
def pick_official(u_rank: float, u_index: float, p_senior: float, n_senior_tier: int,
                  n_frontline: int) -> tuple[int, bool]:
    """The official a meeting is with (index) and whether they are senior.

    A senior official with probability ``p_senior`` (drawn with ``u_rank``), then one of that
    tier uniformly (``u_index``). Officials are laid out executives first, then senior managers,
    then frontline staff.
    """
    senior = u_rank < p_senior if n_senior_tier > 0 else False
    if n_frontline == 0:
        senior = True
    if senior:
        return min(int(u_index * n_senior_tier), n_senior_tier - 1), True
    return n_senior_tier + min(int(u_index * n_frontline), n_frontline - 1), False


@phase
def pick_distinct(u: np.ndarray, lo: int, k: int, n: int, out: np.ndarray, first: int,
                  taken: np.ndarray) -> None:
    """``k`` distinct indices in [0, n) into ``out[first:]``, from ``u[lo:lo + k]``.

    A random subset: sequential selection without replacement, the g-th pick uniform over the
    ``n - g`` indices not yet taken (the r-th of them, found by stepping past earlier picks in
    ascending order, kept sorted in ``taken``). Needs as many uniforms as picks, not ``n``.
    """
    for g in range(k):
        r = min(int(u[lo + g] * (n - g)), n - g - 1)
        for j in range(g):
            if r >= taken[j]:
                r += 1
        out[first + g] = r
        # insert r among the sorted earlier picks
        i = g - 1
        while i >= 0 and taken[i] > r:
            taken[i + 1] = taken[i]
            i -= 1
        taken[i + 1] = r


@phase
def pick_others(u: np.ndarray, lo: int, k: int, n: int, convener: int, out: np.ndarray,
                first: int, taken: np.ndarray) -> None:
    """``k`` distinct CBOs other than ``convener`` into ``out[first:]``, from ``u[lo:lo + k]``.

    The CBOs a CBO invites to a meeting it convenes: a random subset of the other ``n - 1``.
    """
    pick_distinct(u, lo, k, n - 1, out, first, taken)
    for g in range(first, first + k):
        if out[g] >= convener:
            out[g] += 1


@jit
def attendance_probability(convener_trust: float, weight: float, fatigue: float) -> float:
    """Probability that an invited CBO attends: it comes if it trusts whoever convenes.

    ``weight`` sets how far attendance depends on that trust; fatigue keeps CBOs away.
    Evidence: Outcome, 'would we have been interested? maybe not.... but relationship is where
    it all starts and trust'. The functional form is an assumption.
    """
    return ((1.0 - weight) + weight * convener_trust) * (1.0 - fatigue)


@jit
def contact_quality(base: float, cbo_level: float, official_level: float, venue: float,
                    mediation: float, senior: float, material: float, solidarity: float,
                    kpi: float, fatigue: float, noise: float) -> float:
    """Quality of contact for one attendee, in [0, 1].

    Made by the people in the meeting, the CBO's own level and (in a meeting with an official)
    the official's; raised by a community venue (power differentials levelled), broker
    mediation, a senior official present, payment, and CBO solidarity (a collective voice, in
    meetings with officials); lowered by a statutory venue, KPI pressure and fatigue. Each
    argument is that factor's contribution already scaled by its effect size (zero where it does
    not apply). Additivity is an assumption.
    """
    q = (base + cbo_level + official_level + venue + mediation + senior + material + solidarity
         - kpi - fatigue + noise)
    return min(max(q, 0.0), 1.0)
