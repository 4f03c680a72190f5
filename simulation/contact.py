"""Contact: who meets whom each month, and how good the meeting is.

Evidence: Symbolic contexts, 'preliminary engagements specifically targeted high-ranking
statutory officials, including executive directors and local government'; Relational resources,
'open dialogue at all levels of the partnership'; Discussion, contact 'mediated by the TPN
director as lead broker' and 'between groups with similar histories of shared oppression'.
"""

from __future__ import annotations

import numpy as np

from simulation.arrays import clip01


def meeting_capacity(
    broker_present: np.ndarray,
    broker_staff: int,
    meetings_per_staff: np.ndarray,
    capacity_factor: np.ndarray,
    statutory_meetings: np.ndarray,
    max_meetings: int,
) -> np.ndarray:
    """Expected meetings convened this month (fractional), at most ``max_meetings``.

    With a broker, staff convene ``meetings_per_staff`` each, scaled by what funding pays for.
    Without one, statutory bodies convene ``statutory_meetings`` at their own sites: the usual
    engagement practice the paper contrasts with the network's (an assumption).
    """
    broker = broker_staff * meetings_per_staff * capacity_factor
    return np.minimum(np.where(broker_present > 0.5, broker, statutory_meetings), max_meetings)


def active_slots(capacity: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Which meeting slots are held: the first ``floor(capacity)``, and one more by chance.

    ``capacity`` has shape (R,), ``u`` shape (R, M): slot ``m`` is held when ``m < capacity``,
    the fractional last slot with probability equal to the fraction.
    """
    slot = np.arange(u.shape[1])
    whole = np.floor(capacity)[:, None]
    return (slot < whole) | ((slot == whole) & (u < (capacity[:, None] - whole)))


def senior_share(
    senior_engagement: np.ndarray,
    senior_priority: np.ndarray,
    endorsement: np.ndarray,
    senior_fraction: float,
) -> np.ndarray:
    """Probability that a CBO-statutory meeting is with an executive or senior manager.

    Early on the broker targets them with ``senior_priority``; as they come to endorse the work,
    attention returns to the proportional mix of ranks (``senior_fraction``). Zero when senior
    officials do not engage. The shift with endorsement is an assumption.
    """
    share = senior_priority * (1.0 - endorsement) + senior_fraction * endorsement
    return senior_engagement * share if senior_fraction > 0 else np.zeros_like(share)


def pick_officials(
    u_rank: np.ndarray,
    u_index: np.ndarray,
    p_senior: np.ndarray,
    n_senior_tier: int,
    n_frontline: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Official index and whether they are senior, for each meeting.

    ``u_rank`` and ``u_index`` are uniforms (any shape), ``p_senior`` the probability of a senior
    official (broadcast). Officials are laid out executives first, then senior managers, then
    frontline staff.
    """
    senior = u_rank < p_senior if n_senior_tier > 0 else np.zeros(u_rank.shape, bool)
    if n_frontline == 0:
        senior = np.ones(u_rank.shape, bool)
    size = np.where(senior, n_senior_tier, n_frontline)
    offset = np.where(senior, 0, n_senior_tier)
    index = offset + np.minimum((u_index * size).astype(np.int64), size - 1)
    return index, senior


def pick_distinct(u: np.ndarray, n: int) -> np.ndarray:
    """Distinct indices in [0, n), one per uniform along the last axis: a random subset.

    Sequential selection without replacement: the g-th pick is uniform over the ``n - g``
    indices not yet taken (the r-th of them, found by stepping past earlier picks in ascending
    order). Needs as many uniforms as picks, not ``n``.
    """
    k = u.shape[-1]
    if k > n:
        raise ValueError(f"cannot pick {k} distinct indices from {n}")
    picks = np.empty(u.shape, np.int64)
    for g in range(k):
        r = np.minimum((u[..., g] * (n - g)).astype(np.int64), n - g - 1)
        taken = np.sort(picks[..., :g], axis=-1)
        for j in range(g):
            r += r >= taken[..., j]
        picks[..., g] = r
    return picks


def attendance_probability(
    convener_trust: np.ndarray, weight: np.ndarray | float, fatigue: np.ndarray
) -> np.ndarray:
    """Probability that an invited CBO attends: it comes if it trusts whoever convenes.

    ``weight`` sets how far attendance depends on that trust; fatigue keeps CBOs away.
    Evidence: Outcome, 'would we have been interested? maybe not.... but relationship is where
    it all starts and trust'. The functional form is an assumption.
    """
    return ((1.0 - weight) + weight * convener_trust) * (1.0 - fatigue)


def pick_others(u: np.ndarray, n: int, convener: np.ndarray) -> np.ndarray:
    """Distinct CBOs other than ``convener`` (shape (K,)), one per uniform along the last axis.

    The CBOs a CBO invites to a meeting it convenes: a random subset of the other ``n - 1``.
    """
    picks = pick_distinct(u, n - 1)
    return picks + (picks >= convener[:, None])


def contact_quality(
    base: np.ndarray,
    cbo_level: np.ndarray,
    official_level: np.ndarray,
    venue: np.ndarray,
    mediation: np.ndarray,
    senior: np.ndarray,
    material: np.ndarray,
    solidarity: np.ndarray,
    kpi: np.ndarray,
    fatigue: np.ndarray,
    noise: np.ndarray,
) -> np.ndarray:
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
    return clip01(q)
