"""The layout of the engine's state: the structure of a batch, its state, and the scratch space.

:class:`State` is a named tuple of arrays whose first axis is the replicate, the state of ``R``
replicates that share a :class:`Shape` (their structure); :func:`allocate` makes it zeroed
(:func:`simulation.initial.initialise` fills it). :class:`Month` is the scratch space of one
replicate's month: one meeting's attendees, the month's sums of contact, and each mechanism
stream's block of uniforms, whose sizes (:func:`block_sizes`) depend on the structure alone.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from simulation.compiled import phase
from simulation.records import N_SUMMARY
from simulation.streams import STREAMS

# The four tracked outcomes, in the order of simulation.records.OUTCOMES.
PHASE_ZERO, ENGAGEMENT, ENGAGEMENT_LINKED, ENGAGEMENT_UNLINKED = range(4)


class Shape(NamedTuple):
    """The structure of a batch: sizes shared by every replicate (ints), and its shares."""

    C: int  # CBOs
    S: int  # statutory officials: executives, then senior managers, then frontline
    U: int  # service users
    G: int  # CBOs invited to a meeting
    M: int  # meeting slots the broker (or statutory bodies) may fill a month
    A: int  # commissioned-activity slots
    n_exec: int
    n_senior_tier: int  # executives and senior managers
    n_frontline: int
    broker_staff: int
    n_faith: int
    share_no_cbo: float
    share_two_cbos: float


class State(NamedTuple):
    """The state of R replicates; every array's first axis is the replicate."""

    # CBOs (R, C)
    faith: np.ndarray
    standing: np.ndarray
    standing_amp: np.ndarray
    cbo_level: np.ndarray
    trust_statutory: np.ndarray
    trust_broker: np.ndarray
    solidarity: np.ndarray
    skill: np.ndarray
    fatigue: np.ndarray
    base_statutory: np.ndarray
    base_broker: np.ndarray
    base_solidarity: np.ndarray
    hosting: np.ndarray
    payment_cbo: np.ndarray
    members: np.ndarray
    engaged_members: np.ndarray     # (R, C + 1) engaged members of each CBO ('no CBO' last)
    # statutory officials (R, S)
    official_level: np.ndarray
    recognition: np.ndarray
    endorsement: np.ndarray
    base_recognition: np.ndarray
    leave_probability: np.ndarray
    # service users (R, U)
    first_cbo: np.ndarray
    second_cbo: np.ndarray
    first_slot: np.ndarray          # first_cbo, with 'no CBO' as C (an index into C + 1 slots)
    second_slot: np.ndarray
    linked: np.ndarray
    harm: np.ndarray
    user_trust: np.ndarray
    user_learning: np.ndarray
    threshold: np.ndarray
    engaged: np.ndarray
    # commissioned activities (R, A)
    activity_host: np.ndarray
    activity_left: np.ndarray
    # the network (R,)
    statutory_culture: np.ndarray
    community_history: np.ndarray
    mean_standing: np.ndarray
    n_linked: np.ndarray
    n_engaged: np.ndarray           # engaged service users
    n_engaged_linked: np.ndarray    # engaged service users with a CBO
    ack: np.ndarray
    project_active: np.ndarray
    contract_left: np.ndarray
    kpi_invited: np.ndarray
    kpi_attended: np.ndarray
    funding_level: np.ndarray
    kpi_pressure: np.ndarray
    payment: np.ndarray
    money_recognition: np.ndarray
    commissioned: np.ndarray
    decision_month: np.ndarray
    champion: np.ndarray
    meetings_community: np.ndarray
    meetings_statutory: np.ndarray
    harmful_total: np.ndarray
    # outcomes (R, 4), the month's network means (R, N_SUMMARY) and counts (R, 4)
    run_start: np.ndarray
    reached: np.ndarray
    summary: np.ndarray
    monthly: np.ndarray             # simulation.records.COUNTS: meetings, tokenism, harm


class Month(NamedTuple):
    """Scratch space for one replicate-month: one meeting's attendees, and the month's sums."""

    held: np.ndarray           # (M + C + A,) the slots holding a meeting this month
    invitees: np.ndarray       # (G,) the CBOs invited to the meeting at hand
    taken: np.ndarray          # (G,) the same, sorted, while they are picked
    attend: np.ndarray         # (G,) whether each came
    meaning: np.ndarray        # (G,) how meaningful the contact was for each
    terms: np.ndarray          # (G,) values to add up in NumPy's order
    d_stat: np.ndarray         # (C,) change of trust toward statutory partners
    d_broker: np.ndarray       # (C,) change of trust toward the broker
    d_solid: np.ndarray        # (C,) change of solidarity
    d_skill: np.ndarray        # (C,) meaningful senior contact (skill learned)
    n_stat: np.ndarray         # (C,) contacts with officials
    n_broker: np.ndarray       # (C,) contacts in meetings the broker mediates
    n_among: np.ndarray        # (C,) meetings among CBOs attended
    n_peers: np.ndarray        # (C,) meetings among CBOs with another CBO present
    d_recog: np.ndarray        # (S,) change of officials' recognition
    n_official: np.ndarray     # (S,) contacts of each official
    heard: np.ndarray          # (C + 1,) how safe each CBO's members hear the space is
    sums: np.ndarray           # (len(SUMS),) the month's network-level sums
    u_init: np.ndarray         # the initial-state stream's one block
    u_contact: np.ndarray      # this month's block of each mechanism stream
    u_funding: np.ndarray
    u_turnover: np.ndarray
    u_engagement: np.ndarray
    u_commission: np.ndarray
    u_shocks: np.ndarray


#: The month's sums of contact, positions in ``Month.sums`` (the meetings phase's own).
SUMS = ("good_senior", "n_token", "n_attend", "n_held", "n_community", "kpi_invited",
        "kpi_attended")
GOOD_SENIOR, N_TOKEN, N_ATTEND, N_HELD, N_COMMUNITY, KPI_INVITED, KPI_ATTENDED = range(len(SUMS))


def scratch(shape: Shape) -> Month:
    """Scratch space for the month step (:func:`simulation.month.advance`)."""
    G, C, S = shape.G, shape.C, shape.S
    blocks = block_sizes(shape)
    return Month(np.zeros(shape.M + C + shape.A, np.int64), np.zeros(G, np.int64),
                 np.zeros(G, np.int64), np.zeros(G, np.bool_),
                 np.zeros(G), np.zeros(G), *(np.zeros(C) for _ in range(8)), np.zeros(S),
                 np.zeros(S), np.zeros(C + 1), np.zeros(len(SUMS)),
                 *(np.zeros(blocks[name]) for name in STREAMS))


def block_sizes(shape: Shape) -> dict[str, int]:
    """Uniforms each mechanism stream draws a month (the initial-state stream: once).

    They depend on the structure alone, never on the state or the levers, so a changed lever
    never shifts another mechanism's numbers.
    """
    C, S, U, G, A = shape.C, shape.S, shape.U, shape.G, shape.A
    N = shape.M + C + A
    return {"init": 2 + 5 * C + 2 * S + 5 * U,
            # held, type, rank, official, venue; order, attend, noise; the conference
            "contact": 5 * N + 3 * N * G + max(shape.n_senior_tier, 1),
            "funding": 1,
            "turnover": 2 * S,            # who leaves, and the level each newcomer brings
            "engagement": U,
            "commissioning": 2 + A,       # a round, the decision, a host for each activity
            "shocks": 2}                  # the senior champion, and a funding shock


@phase
def clear(work: Month) -> None:
    """Zero the month's sums."""
    for a in (work.d_stat, work.d_broker, work.d_solid, work.d_skill, work.n_stat,
              work.n_broker, work.n_among, work.n_peers, work.d_recog, work.n_official,
              work.sums):
        a[:] = 0.0


def allocate(R: int, shape: Shape) -> State:
    """Zeroed state for ``R`` replicates of ``shape`` (:mod:`simulation.initial` fills it).

    Every array is C-contiguous whatever ``R`` is, so that one compiled signature serves every
    batch; a per-replicate scalar is an (R,) array.
    """
    C, S, U, A = shape.C, shape.S, shape.U, shape.A
    f, i, b = np.float64, np.int64, np.bool_
    scalar: tuple[int, ...] = ()
    kinds = {"faith": ((C,), b), "first_cbo": ((U,), i), "second_cbo": ((U,), i),
             "first_slot": ((U,), i), "second_slot": ((U,), i), "linked": ((U,), b),
             "engaged": ((U,), b), "engaged_members": ((C + 1,), f),
             "activity_host": ((A,), i), "activity_left": ((A,), i),
             "n_linked": (scalar, i), "n_engaged": (scalar, i), "n_engaged_linked": (scalar, i),
             "project_active": (scalar, b), "contract_left": (scalar, i),
             "commissioned": (scalar, b), "decision_month": (scalar, i), "champion": (scalar, b),
             "run_start": ((4,), i), "reached": ((4,), i), "summary": ((N_SUMMARY,), f),
             "monthly": ((4,), f)}
    first = State._fields.index
    fields = {}
    for k, name in enumerate(State._fields):
        if name in kinds:
            width, dtype = kinds[name]
        else:
            width = ((C,) if k < first("official_level") else (S,) if k < first("first_cbo")
                     else (U,) if k < first("activity_host") else scalar)
            dtype = f
        fields[name] = np.zeros((R,) + width, dtype)
    return State(**fields)



@phase
def lever_row(lv: np.ndarray, month: int) -> int:
    """The row of the lever table in force in ``month`` (row 0 throughout, unless timed)."""
    return month if lv.shape[1] > 1 else 0
