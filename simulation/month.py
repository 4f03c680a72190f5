"""One month of the network, compiled: the phases of ODD section 3 as loops over the agents.

:func:`advance` runs a batch of replicates through some months, one replicate at a time (each
replicate's state, a few tens of kilobytes, stays in the processor's small caches).
:func:`month_step` is one month of one replicate, one short function per phase in the order of
ODD section 3; each phase loops over meetings, attendees, officials or service users and calls
the mechanisms of the domain modules (``contact``, ``trust``, ``engagement``, ...), which are
compiled too.

All of a month's meetings read the state at the start of the month; their effects are added up
in :class:`Month` and applied together, so meeting order never matters. Sums over many values
are added in NumPy's order (:func:`simulation.arrays.pairwise_sum`): the compiled step was ported
from a vectorised NumPy step and reproduced it bit for bit.

The state lives in :class:`State`, a named tuple of arrays whose first axis is the replicate;
parameters in a NumPy record array with one record per replicate (``p[r].trust_gain``); the
levers in force in a table (:func:`simulation.interventions.lever_table`); each replicate's
mechanism streams as PCG64 states (:mod:`simulation.streams`), from which every month draws one
block per mechanism into :class:`Month`, the scratch space.

A few expressions keep the exact form of the NumPy step they were ported from (``0.0 * x`` where
it multiplied by a false mask, ``* 1.0`` by a true one), so the engine reproduces it bit for bit,
signed zeros included.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from simulation import (
    acknowledgement,
    commissioning,
    contact,
    engagement,
    fatigue,
    funding,
    harm,
    heterogeneity,
    interventions,
    outcomes,
    resources,
    solidarity,
    streams,
    trust,
    turnover,
    venues,
)
from simulation.arrays import clip01, mean, pairwise_sum
from simulation.compiled import borrowed, jit, phase
from simulation.interventions import ALLOWED, BROKER, CORE, KPI, RUNWAY, SENIOR, VENUE
from simulation.records import (
    ENGAGED_SHARE,
    ENGAGED_SHARE_LINKED,
    ENGAGED_SHARE_UNLINKED,
    METRIC,
    METRIC_ACK,
    METRIC_ACTIVITIES,
    METRIC_CHAMPION,
    METRIC_ENGAGED,
    METRIC_FATIGUE,
    METRIC_FUNDING,
    METRIC_HARM,
    METRIC_KPI,
    METRIC_MATERIAL,
    METRIC_PAYMENT,
    METRIC_PROJECT,
    METRIC_PZ_OVER,
    METRIC_SKILL,
    METRIC_SYMBOLIC,
    METRIC_USER_TRUST,
    MONTHLY,
    N_SUMMARY,
    READINESS,
    RECOGNITION,
    RELATIONAL,
    SENIOR_ENDORSEMENT,
    TRUST_CBO_BROKER,
    TRUST_CBO_CBO,
    TRUST_CBO_STATUTORY,
)
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
    monthly: np.ndarray


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


#: The month's network-level sums, positions in ``Month.sums``.
SUMS = ("good_senior", "n_token", "n_attend", "n_held", "n_community", "kpi_invited",
        "kpi_attended", "tokenistic_share", "n_harmed")
(GOOD_SENIOR, N_TOKEN, N_ATTEND, N_HELD, N_COMMUNITY, KPI_INVITED, KPI_ATTENDED,
 TOKENISTIC_SHARE, N_HARMED) = range(len(SUMS))


def scratch(shape: Shape) -> Month:
    """Scratch space for :func:`advance`."""
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
    """Zeroed state for ``R`` replicates of ``shape`` (:func:`initialise` fills it).

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


# ---------------------------------------------------------------------- initial state
@jit
def initialise(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, u: np.ndarray,
               r: int) -> None:
    """Replicate ``r``'s initial state from its initial-state uniforms ``u`` (ODD section 5)."""
    C, S, U = shape.C, shape.S, shape.U
    q = p[r]
    # One fixed-size draw, split by what it initialises: 2, C, C, C, C, S, S, C, U x 5.
    o_stand = 2
    o_level = o_stand + C
    o_ts = o_level + C
    o_tb = o_ts + C
    o_olevel = o_tb + C
    o_rec = o_olevel + S
    o_cc = o_rec + S
    o_member = o_cc + C
    o_first = o_member + U
    o_second = o_first + U
    o_harm = o_second + U
    o_threshold = o_harm + U

    # network-level effects: this place's statutory culture and its community's history
    culture = heterogeneity.centred(u[0], q.culture_spread)
    history = heterogeneity.centred(u[1], q.history_spread)
    s.statutory_culture[r] = culture
    s.community_history[r] = history
    spread = q.initial_trust_spread
    for c in range(C):
        faith = c < shape.n_faith
        s.faith[r, c] = faith
        bonus = q.faith_standing_bonus if faith else 0.0 * q.faith_standing_bonus  # as ported
        s.standing[r, c] = clip01(q.standing_mean
                                  + heterogeneity.centred(u[o_stand + c], q.standing_spread)
                                  + bonus)
        # leader standing is fixed for the run, so what it amplifies is computed once
        s.standing_amp[r, c] = engagement.standing_factor(s.standing[r, c], q.standing_weight)
        s.cbo_level[r, c] = heterogeneity.centred(u[o_level + c], q.cbo_level_spread)
        s.trust_statutory[r, c] = heterogeneity.around(q.initial_trust_statutory - history,
                                                       u[o_ts + c], spread)
        s.trust_broker[r, c] = heterogeneity.around(q.initial_trust_broker, u[o_tb + c], spread)
        # each CBO's trust toward the other CBOs as a group: its solidarity
        s.solidarity[r, c] = heterogeneity.around(q.initial_trust_cbo, u[o_cc + c], spread)
        s.skill[r, c] = clip01(q.initial_skill + s.cbo_level[r, c])
        # baselines that trust drifts back to without contact: where history left it
        s.base_statutory[r, c] = s.trust_statutory[r, c]
        s.base_broker[r, c] = s.trust_broker[r, c]
        s.base_solidarity[r, c] = s.solidarity[r, c]
    s.mean_standing[r] = mean(s.standing[r])
    for j in range(S):
        s.official_level[r, j] = culture + heterogeneity.centred(u[o_olevel + j],
                                                                 q.official_level_spread)
        # an open statutory culture also starts officials closer to recognising CBOs
        s.recognition[r, j] = heterogeneity.around(q.initial_recognition + culture,
                                                   u[o_rec + j], spread)
        s.endorsement[r, j] = s.recognition[r, j]
        s.base_recognition[r, j] = s.recognition[r, j]
        rate = (q.turnover_executive if j < shape.n_exec else
                q.turnover_senior if j < shape.n_senior_tier else q.turnover_frontline)
        s.leave_probability[r, j] = turnover.monthly_leaving_probability(rate)

    # service users: their CBOs (none, one or two), history of harm, trust and threshold
    n_linked = 0
    for i in range(U):
        first = min(int(u[o_first + i] * C), C - 1)
        other = (first + 1 + min(int(u[o_second + i] * (C - 1)), C - 2)) % C
        member = u[o_member + i]
        s.first_cbo[r, i] = -1 if member < shape.share_no_cbo else first
        two = member >= 1.0 - shape.share_two_cbos and C > 1
        s.second_cbo[r, i] = other if two and s.first_cbo[r, i] >= 0 else -1
        s.linked[r, i] = s.first_cbo[r, i] >= 0
        s.first_slot[r, i] = s.first_cbo[r, i] if s.first_cbo[r, i] >= 0 else C
        s.second_slot[r, i] = s.second_cbo[r, i] if s.second_cbo[r, i] >= 0 else C
        if s.linked[r, i]:
            n_linked += 1
            s.members[r, s.first_cbo[r, i]] += 1.0
            if s.second_cbo[r, i] >= 0:
                s.members[r, s.second_cbo[r, i]] += 1.0
        h = clip01(u[o_harm + i] + history)
        s.harm[r, i] = h
        s.user_trust[r, i] = q.su_initial_trust * (1.0 - q.harm_weight * h)
        s.user_learning[r, i] = q.su_learning * (1.0 - q.harm_weight * h)
        s.threshold[r, i] = clip01(q.su_threshold_mean
                                   + heterogeneity.centred(u[o_threshold + i],
                                                           q.su_threshold_spread))
        s.engaged[r, i] = engagement.is_engaged(s.user_trust[r, i], s.threshold[r, i])
        if s.engaged[r, i]:
            count_engaged(s, r, i)
    s.n_linked[r] = n_linked

    s.project_active[r] = True
    s.contract_left[r] = int(q.contract_months)
    s.decision_month[r] = outcomes.NOT_REACHED
    for a in range(shape.A):
        s.activity_host[r, a] = -1
    # senior officials engage while a champion is in post (ODD 7.13)
    s.champion[r] = lv[r, 0, SENIOR] > 0.5
    for k in range(4):
        s.run_start[r, k] = outcomes.NOT_REACHED
        s.reached[r, k] = outcomes.NOT_REACHED
    update_money(s, p, lv, r, 0, mean(s.recognition[r]))
    summarise(s, p, lv, shape, r, 0)


# ---------------------------------------------------------------------- the month
@jit
def start(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, work: Month, rng: np.ndarray,
          history: np.ndarray, record: int) -> None:
    """Every replicate's initial state (and, unless ``record`` is 0, its month-0 record)."""
    s, p, lv = borrowed(s), borrowed(p), borrowed(lv)
    work, history = borrowed(work), borrowed(history)
    for r in range(s.trust_statutory.shape[0]):
        streams.fill(rng[r, streams.INIT], work.u_init)
        initialise(s, p, lv, shape, work.u_init, r)
        if record > 0:
            write_record(s, shape, r, history[r, 0])


@jit
def end_records(s: State, shape: Shape, out: np.ndarray) -> None:
    """Every replicate's current record (:func:`write_record`) into ``out``, shape (R, METRICS).

    The end-of-run indices a summary reports come from here, so they are computed by the same
    code as the timeseries.
    """
    s, out = borrowed(s), borrowed(out)
    for r in range(s.trust_statutory.shape[0]):
        write_record(s, shape, r, out[r])


@jit
def advance(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, work: Month, rng: np.ndarray,
            first_month: int, months: int, history: np.ndarray, record: int) -> None:
    """Months ``first_month + 1`` to ``first_month + months`` of every replicate.

    ``rng`` holds each replicate's mechanism streams (:mod:`simulation.streams`), shape
    (R, len(STREAMS), 4); each month draws one block from each. ``record``: 0 keeps no
    history, 1 the current month (``history`` row 0), 2 every month (row = month);
    ``history`` has shape (R, rows, len(METRICS)).
    """
    s, p, lv = borrowed(s), borrowed(p), borrowed(lv)
    work, history = borrowed(work), borrowed(history)
    for r in range(s.trust_statutory.shape[0]):
        g = rng[r]
        for k in range(months):
            month = first_month + 1 + k
            streams.fill(g[streams.CONTACT], work.u_contact)
            streams.fill(g[streams.FUNDING], work.u_funding)
            streams.fill(g[streams.TURNOVER], work.u_turnover)
            streams.fill(g[streams.ENGAGEMENT], work.u_engagement)
            streams.fill(g[streams.COMMISSIONING], work.u_commission)
            streams.fill(g[streams.SHOCKS], work.u_shocks)
            month_step(s, p, lv, shape, work, r, month, work.u_contact, work.u_funding,
                       work.u_turnover, work.u_engagement, work.u_commission, work.u_shocks)
            if record > 0:
                write_record(s, shape, r, history[r, month if record == 2 else 0])


@phase
def month_step(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, work: Month, r: int,
               month: int, u_contact: np.ndarray, u_funding: np.ndarray, u_turnover: np.ndarray,
               u_engagement: np.ndarray, u_commission: np.ndarray, u_shocks: np.ndarray) -> None:
    """One month of replicate ``r``, in the order of ODD section 3."""
    t = month if lv.shape[1] > 1 else 0
    if lv.shape[1] > 1:
        set_timed_levers(s, p, lv, r, t, month)
    clear(work)
    hold_meetings(s, p, lv, shape, work, r, t, u_contact)                   # 1-3 contact
    senior_attendance = conference(s, p, lv, shape, r, t, month, u_contact)  # 4
    apply_contact(s, p, shape, work, r, senior_attendance)                   # 3-4
    statutory_side(s, p, shape, r, u_turnover)                               # 5
    service_users(s, p, shape, work, r, month, t, lv, u_engagement)          # 6
    bookkeeping(s, work, r)
    summarise(s, p, lv, shape, r, t)
    p_renew = funding.renewal_probability(
        lv[r, t, KPI], s.summary[r, RELATIONAL], p[r].renewal_base,
        s.kpi_attended[r] / max(s.kpi_invited[r], 1.0), p[r].kpi_target)
    commission(s, p, lv, shape, r, t, month, u_commission)                  # 7
    track_outcomes(s, p, r, month)                                           # 8
    contract_clock(s, p, lv, r, t, p_renew, u_funding, u_shocks)             # 8


@phase
def set_timed_levers(s: State, p: np.ndarray, lv: np.ndarray, r: int, t: int, month: int) -> None:
    """A run with timed interventions: this month's levers, champion events, and money."""
    q = p[r]
    s.champion[r] = interventions.champion_event(s.champion[r], month,
                                                 q.champion_arrives_month,
                                                 q.champion_leaves_month)
    update_money(s, p, lv, r, t, s.money_recognition[r])


@phase
def update_money(s: State, p: np.ndarray, lv: np.ndarray, r: int, t: int,
                 mean_recognition: float) -> None:
    """Funding level, KPI pressure and payment from the levers and contracts in force."""
    q = p[r]
    s.money_recognition[r] = mean_recognition
    project = s.project_active[r] and lv[r, t, ALLOWED] > 0.5
    core = lv[r, t, CORE]
    s.funding_level[r] = funding.funding_level(core, q.core_capacity, project,
                                               q.project_capacity)
    s.kpi_pressure[r] = funding.kpi_pressure(lv[r, t, KPI], project, core, q.core_independence)
    s.payment[r] = funding.payment_level(q.pay_contributions, s.funding_level[r],
                                         q.payment_floor, mean_recognition)
    # a CBO hosting a commissioned activity is paid for it in full
    for c in range(s.hosting.shape[1]):
        s.payment_cbo[r, c] = max(s.payment[r], s.hosting[r, c])


@phase
def held_slots(s: State, p: np.ndarray, shape: Shape, work: Month, r: int, capacity: float,
               u: np.ndarray) -> int:
    """Which meeting slots hold a meeting this month; ``work.held`` lists them, in order.

    The broker's (or statutory bodies') up to capacity, a number deciding the last, fractional
    one; each CBO's own by chance; each running activity's session.
    """
    q = p[r]
    C, M, A = shape.C, shape.M, shape.A
    held = work.held
    k = 0
    for slot in range(M + C + A):
        if slot >= M + C:
            now = s.activity_host[r, slot - M - C] >= 0
        elif slot >= M:
            now = u[slot] < s.skill[r, slot - M] * q.self_contact_rate
        else:
            now = contact.slot_held(slot, capacity, u[slot])
        if now:
            held[k] = slot
            k += 1
    return k


@phase
def hold_meetings(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, work: Month, r: int,
                  t: int, u: np.ndarray) -> None:
    """Steps 1 to 3 for every meeting held this month: who meets, quality, effects added up.

    Slots 0..M-1 are convened by the broker (or, without one, statutory bodies), M..M+C-1 by
    each CBO itself, the last A are the sessions of commissioned activities. Every slot has its
    own uniforms in the contact block ``u``, held or not.
    """
    q = p[r]
    C, S, G, M, A = shape.C, shape.S, shape.G, shape.M, shape.A
    N = M + C + A
    o_type, o_rank, o_official, o_venue = N, 2 * N, 3 * N, 4 * N
    o_order, o_attend, o_noise = 5 * N, 5 * N + N * G, 5 * N + 2 * N * G
    has_broker = lv[r, t, BROKER] > 0.5
    seniors_engage = 1.0 if s.champion[r] else 0.0
    senior_fraction = shape.n_senior_tier / S
    capacity = contact.meeting_capacity(
        has_broker, shape.broker_staff, q.meetings_per_staff,
        funding.broker_capacity_factor(s.funding_level[r], q.broker_persistence),
        q.statutory_meetings_per_month, M)
    mediation = q.mediation_effect * q.broker_credibility
    kpi = q.kpi_effect * s.kpi_pressure[r]
    invitees = work.invitees
    attend = work.attend
    meaning = work.meaning
    n_held = held_slots(s, p, shape, work, r, capacity, u)
    for j in range(n_held):
        slot = work.held[j]
        own = slot >= M                  # convened by a CBO: its own, or an activity's host
        activity = slot >= M + C
        c = (s.activity_host[r, slot - M - C] if activity else slot - M if own else 0)
        mediated = not own and has_broker
        among = ((own or has_broker) and not activity
                 and u[o_type + slot] < q.cbo_meeting_share)
        with_official = not among
        venue_share = lv[r, t, VENUE] if has_broker else q.statutory_venue_share
        community = own or venues.in_community_venue(u[o_venue + slot], venue_share)
        # a CBO invites a senior official when seniors engage; an activity's session has an
        # official of any rank, in proportion to the ranks
        if own:
            p_senior = seniors_engage * (senior_fraction if activity else 1.0)
        else:
            p_senior = contact.senior_share(seniors_engage, q.senior_priority,
                                            s.summary[r, SENIOR_ENDORSEMENT], senior_fraction)
        official, senior = contact.pick_official(u[o_rank + slot], u[o_official + slot],
                                                 p_senior, shape.n_senior_tier,
                                                 shape.n_frontline)
        senior = senior and with_official
        order = o_order + slot * G
        if own:
            invitees[0] = c
            contact.pick_others(u, order, G - 1, C, c, invitees, 1, work.taken)
        else:
            contact.pick_distinct(u, order, G, C, invitees, 0, work.taken)

        # who comes: invitees attend if they trust whoever convenes
        n_attend = 0
        for g in range(G):
            i = invitees[g]
            if own:
                convener_trust = s.solidarity[r, i]
            elif has_broker:
                convener_trust = s.trust_broker[r, i]
            else:
                convener_trust = s.trust_statutory[r, i]
            attend[g] = (u[o_attend + slot * G + g] < contact.attendance_probability(
                convener_trust, q.attendance_trust_weight, s.fatigue[r, i])) or (own and g == 0)
            if attend[g]:
                n_attend += 1

        # quality of contact, and how meaningful it is, for each attendee
        official_level = s.official_level[r, official] if with_official else 0.0
        for g in range(G):
            i = invitees[g]
            quality = contact.contact_quality(
                q.quality_base,
                s.cbo_level[r, i],
                official_level,
                venues.venue_quality(community, q.venue_effect),
                mediation * s.trust_broker[r, i] if mediated else 0.0,
                q.senior_effect if senior else 0.0,
                q.material_effect * s.payment_cbo[r, i],
                q.solidarity_effect * s.solidarity[r, i] if with_official else 0.0,
                kpi,
                q.fatigue_effect * s.fatigue[r, i],
                q.quality_noise * (2.0 * u[o_noise + slot * G + g] - 1.0))
            meaning[g] = trust.meaningful(quality, q.tokenism_threshold, q.quality_width)
        add_meeting(s, q, work, r, slot < M, community, mediated, among, official, senior,
                    n_attend, G)


@phase
def add_meeting(s: State, q: np.void, work: Month, r: int, convened: bool, community: bool,
                mediated: bool, among: bool, official: int, senior: bool, n_attend: int,
                G: int) -> None:
    """One held meeting's effects on the month's sums (steps 3 and 4, before they apply).

    Trust toward statutory partners, toward the broker and (in meetings among CBOs only, with
    another CBO in the room) solidarity; officials' recognition, scaled by the standing and the
    collective voice of the CBOs they hear; brokerage skill, learned from meaningful contact with
    senior officials (more when the broker mediates); contact counts; a meeting with a senior
    official adds to acknowledgement, weighted by how meaningful it was for those present; and
    what a KPI-tied funder counts, attendance at the meetings the broker convenes.
    """
    gain, asym = q.trust_gain, q.trust_loss_asymmetry
    with_official = not among
    skill_weight = 1.0 if mediated else q.unmediated_skill_share
    invitees, attend, meaning, terms = work.invitees, work.attend, work.meaning, work.terms
    n_present = 0
    for g in range(G):
        i = invitees[g]
        met = attend[g]
        met_official = met and with_official
        terms[g] = meaning[g] if met_official else 0.0
        if not met:
            continue
        m = meaning[g]
        if with_official:
            n_present += 1
            work.d_stat[i] += trust.contact_trust_change(s.trust_statutory[r, i], m, gain, asym)
            work.n_stat[i] += 1.0
            work.d_skill[i] += m * (skill_weight if senior else 0.0)
            voice = solidarity.voice_factor(s.solidarity[r, i], q.solidarity_weight)
            work.d_recog[official] += trust.contact_trust_change(
                s.recognition[r, official], m, gain * s.standing_amp[r, i] * voice, asym)
            work.n_official[official] += 1.0
        if mediated:
            work.d_broker[i] += trust.contact_trust_change(s.trust_broker[r, i], m, gain, asym)
            work.n_broker[i] += 1.0
        if among:
            work.n_among[i] += 1.0
            if n_attend >= 2:
                work.d_solid[i] += trust.contact_trust_change(s.solidarity[r, i], m,
                                                              q.solidarity_gain, asym)
                work.n_peers[i] += 1.0
    meeting_meaning = pairwise_sum(terms) / max(n_present, 1)
    sums = work.sums
    sums[GOOD_SENIOR] += meeting_meaning if senior else 0.0
    for g in range(G):
        terms[g] = 1.0 - meaning[g] if attend[g] else 0.0
    sums[N_TOKEN] += pairwise_sum(terms)
    sums[N_ATTEND] += n_attend
    if n_attend > 0:
        sums[N_HELD] += 1.0
        if community:
            sums[N_COMMUNITY] += 1.0
    if convened:
        sums[KPI_INVITED] += G
        sums[KPI_ATTENDED] += n_attend


@phase
def conference(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, r: int, t: int, month: int,
               u: np.ndarray) -> float:
    """Step 4's conference: in a conference month, senior officials who attend bear witness."""
    q = p[r]
    n = shape.n_senior_tier
    if n == 0 or not acknowledgement.is_conference_month(month, int(q.conference_period_months)):
        return 0.0
    N = shape.M + shape.C + shape.A
    o_conference = 5 * N + 3 * N * shape.G
    there = 0
    for j in range(n):
        if u[o_conference + j] < s.endorsement[r, j]:
            there += 1
    seniors_engage = 1.0 if s.champion[r] else 0.0
    return there / n * (q.annual_conference * lv[r, t, BROKER]) * seniors_engage * 1.0  # ported


@phase
def apply_contact(s: State, p: np.ndarray, shape: Shape, work: Month, r: int,
                  senior_attendance: float) -> None:
    """Steps 3 and 4 applied: trust, skill, fatigue and acknowledgement after the month."""
    q = p[r]
    decay = q.trust_decay
    for c in range(shape.C):
        s.trust_statutory[r, c] = trust.settle(s.trust_statutory[r, c], work.d_stat[c],
                                               work.n_stat[c], s.base_statutory[r, c], decay)
        s.trust_broker[r, c] = trust.settle(s.trust_broker[r, c], work.d_broker[c],
                                            work.n_broker[c], s.base_broker[r, c], decay)
        s.solidarity[r, c] = trust.settle(s.solidarity[r, c], work.d_solid[c], work.n_peers[c],
                                          s.base_solidarity[r, c], decay)
        s.skill[r, c] = clip01(s.skill[r, c]
                               + q.skill_gain * work.d_skill[c] * (1.0 - s.skill[r, c]))
        s.fatigue[r, c] = fatigue.update_fatigue(s.fatigue[r, c], work.n_stat[c] + work.n_among[c],
                                                 s.payment_cbo[r, c], q.fatigue_rate,
                                                 q.fatigue_recovery)
    for j in range(shape.S):
        s.recognition[r, j] = trust.settle(s.recognition[r, j], work.d_recog[j],
                                           work.n_official[j], s.base_recognition[r, j], decay)
    s.ack[r] = acknowledgement.update_acknowledgement(
        s.ack[r], senior_attendance, q.acknowledgement_conference_gain, work.sums[GOOD_SENIOR],
        q.acknowledgement_meeting_gain, q.acknowledgement_decay)


@phase
def statutory_side(s: State, p: np.ndarray, shape: Shape, r: int, u: np.ndarray) -> None:
    """Step 5: learning spreads, endorsement follows recognition, officials leave."""
    q = p[r]
    S = shape.S
    org_mean = mean(s.recognition[r])
    for j in range(S):
        s.recognition[r, j] = trust.drift_toward(s.recognition[r, j], org_mean, q.org_diffusion)
        s.endorsement[r, j] += q.endorsement_rate * (s.recognition[r, j] - s.endorsement[r, j])
    anyone = False
    for j in range(S):
        if turnover.leaves(u[j], s.leave_probability[r, j]):
            anyone = True
    if not anyone:
        return
    memory = trust.organisational_memory(q.memory_base, senior_endorsement(s, shape, r))
    # a newcomer starts as a stranger of this place's culture would
    start = clip01(q.initial_recognition + s.statutory_culture[r])
    newcomer = trust.inherited_level(mean(s.recognition[r]), start, memory)
    for j in range(S):
        if turnover.leaves(u[j], s.leave_probability[r, j]):
            s.recognition[r, j] = newcomer
            s.endorsement[r, j] = memory * newcomer
            s.base_recognition[r, j] = start
            s.official_level[r, j] = s.statutory_culture[r] + heterogeneity.centred(
                u[S + j], q.official_level_spread)


@phase
def service_users(s: State, p: np.ndarray, shape: Shape, work: Month, r: int, month: int, t: int,
                  lv: np.ndarray, u: np.ndarray) -> None:
    """Step 6: what members hear, safety, trust, harm, and who engages."""
    q = p[r]
    C, U = shape.C, shape.U
    tokenistic_share = work.sums[N_TOKEN] / max(work.sums[N_ATTEND], 1.0)
    work.sums[TOKENISTIC_SHARE] = tokenistic_share
    engaged_members = s.engaged_members[r]
    heard = work.heard
    for c in range(C):
        relay = engagement.cbo_relay(s.trust_statutory[r, c], s.standing_amp[r, c])
        heard[c] = engagement.what_members_hear(
            relay, s.hosting[r, c], q.activity_reach,
            engaged_members[c] / max(s.members[r, c], 1.0), q.word_of_mouth)
    heard[C] = 0.0          # 'no CBO' hears nothing
    mean_heard = pairwise_sum(heard[:C]) / C
    gate = engagement.acknowledgement_gate(s.ack[r], q.acknowledgement_weight)
    routes = (harm.everyday_rate(q.everyday_harm_rate, s.ack[r], q.harm_protection)
              + harm.recruitment_rate(q.direct_recruitment, s.kpi_pressure[r],
                                      q.kpi_recruitment, s.ack[r], q.acknowledgement_safe))
    timed = lv.shape[1] > 1
    n_harmed = 0
    # who is engaged is counted afresh as it is decided (for next month and the summary)
    for c in range(C + 1):
        engaged_members[c] = 0.0
    s.n_engaged[r] = 0
    s.n_engaged_linked[r] = 0
    for i in range(U):
        safety = engagement.perceived_safety(
            gate, s.linked[r, i], heard[s.first_slot[r, i]], heard[s.second_slot[r, i]],
            q.unlinked_reach, mean_heard)
        user_trust = engagement.update_user_trust(s.user_trust[r, i], safety,
                                                  s.user_learning[r, i],
                                                  q.trust_loss_asymmetry)
        hit = harm.harmed(u[i], routes, s.engaged[r, i], q.encounter_rate, tokenistic_share)
        if hit:
            n_harmed += 1
            user_trust = clip01(user_trust - q.tokenism_shock)
            s.harm[r, i] = harm.grow_history(s.harm[r, i], q.harm_growth)
        else:
            user_trust = clip01(user_trust)
        s.user_learning[r, i] = harm.learning_rate(q.su_learning, q.harm_weight, s.harm[r, i])
        if timed:
            user_trust = interventions.incident_shock(user_trust, month,
                                                      q.harmful_incident_month,
                                                      q.harmful_incident_size)
        s.user_trust[r, i] = user_trust
        engaged = engagement.is_engaged(user_trust, s.threshold[r, i])
        s.engaged[r, i] = engaged
        if engaged:
            count_engaged(s, r, i)
    if timed:
        for c in range(C):
            s.trust_statutory[r, c] = interventions.incident_shock(
                s.trust_statutory[r, c], month, q.harmful_incident_month,
                q.harmful_incident_size)
    work.sums[N_HARMED] = n_harmed


@phase
def count_engaged(s: State, r: int, i: int) -> None:
    """Count engaged user ``i``: among the engaged, the linked, and each of their CBOs' members."""
    s.n_engaged[r] += 1
    if s.linked[r, i]:
        s.n_engaged_linked[r] += 1
    s.engaged_members[r, s.first_slot[r, i]] += 1.0
    s.engaged_members[r, s.second_slot[r, i]] += 1.0


@phase
def bookkeeping(s: State, work: Month, r: int) -> None:
    """The month's counts of meetings and harmful encounters."""
    m = work.sums
    s.monthly[r, 0] = m[N_COMMUNITY]
    s.monthly[r, 1] = m[N_HELD] - m[N_COMMUNITY]
    s.monthly[r, 2] = m[TOKENISTIC_SHARE]
    s.monthly[r, 3] = m[N_HARMED]
    s.meetings_community[r] += m[N_COMMUNITY]
    s.meetings_statutory[r] += m[N_HELD] - m[N_COMMUNITY]
    s.harmful_total[r] += m[N_HARMED]
    s.kpi_invited[r] += m[KPI_INVITED]
    s.kpi_attended[r] += m[KPI_ATTENDED]


@phase
def senior_endorsement(s: State, shape: Shape, r: int) -> float:
    """Mean endorsement of executives and senior managers (0 without any)."""
    if shape.n_senior_tier == 0:
        return 0.0
    return mean(s.endorsement[r, :shape.n_senior_tier])


@phase
def summarise(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, r: int, t: int) -> None:
    """Network-level means of the month, computed once for outcomes, records and renewal."""
    m = s.summary[r]
    m[TRUST_CBO_STATUTORY] = mean(s.trust_statutory[r])
    m[RECOGNITION] = mean(s.recognition[r])
    m[TRUST_CBO_BROKER] = mean(s.trust_broker[r])
    m[TRUST_CBO_CBO] = mean(s.solidarity[r])
    m[SENIOR_ENDORSEMENT] = senior_endorsement(s, shape, r)
    m[RELATIONAL] = resources.relational_index(
        m[TRUST_CBO_STATUTORY], m[RECOGNITION], m[TRUST_CBO_BROKER], m[TRUST_CBO_CBO],
        lv[r, t, BROKER])
    m[READINESS] = commissioning.readiness(m[TRUST_CBO_STATUTORY], m[RECOGNITION],
                                           m[SENIOR_ENDORSEMENT])
    n_engaged, n_linked = s.n_engaged[r], s.n_engaged_linked[r]
    m[ENGAGED_SHARE] = n_engaged / shape.U
    m[ENGAGED_SHARE_LINKED] = n_linked / max(s.n_linked[r], 1)
    m[ENGAGED_SHARE_UNLINKED] = (n_engaged - n_linked) / max(shape.U - s.n_linked[r], 1)


@phase
def commission(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, r: int, t: int, month: int,
               u: np.ndarray) -> None:
    """Step 7: the commissioning decision, and the activities that run after it (ODD 7.13)."""
    q = p[r]
    for a in range(shape.A):
        s.activity_left[r, a] = max(s.activity_left[r, a] - 1, 0)
        if s.activity_left[r, a] <= 0:
            s.activity_host[r, a] = -1
    open_round = commissioning.round_opens(u[0], q.commissioning_interval_months,
                                           lv[r, t, ALLOWED] > 0.5)
    commissions = u[1] < commissioning.decision_probability(
        s.summary[r, READINESS], open_round, q.commissioning_rate, q.commissioning_threshold,
        q.commissioning_width)
    if commissions:
        if not s.commissioned[r]:
            s.decision_month[r] = month
        s.commissioned[r] = True
        # a commissioning round fills every activity slot that is free, each with a new host
        for a in range(int(q.coproduction_activities)):
            if s.activity_host[r, a] < 0:
                s.activity_host[r, a] = commissioning.pick_host(u[2 + a], shape.C)
                s.activity_left[r, a] = int(q.activity_months)
    for c in range(shape.C):
        s.hosting[r, c] = 0.0
    for a in range(shape.A):
        if s.activity_host[r, a] >= 0:
            s.hosting[r, s.activity_host[r, a]] = 1.0


@phase
def track_outcomes(s: State, p: np.ndarray, r: int, month: int) -> None:
    """Step 8: which outcome conditions hold, and for how long."""
    q = p[r]
    m = s.summary[r]
    threshold = q.engagement_threshold
    phase_zero = (m[TRUST_CBO_STATUTORY] >= q.pz_trust_threshold
                  and m[RECOGNITION] >= q.pz_recognition_threshold
                  and m[SENIOR_ENDORSEMENT] >= q.pz_endorsement_threshold)
    conditions = (phase_zero, m[ENGAGED_SHARE] >= threshold,
                  m[ENGAGED_SHARE_LINKED] >= threshold, m[ENGAGED_SHARE_UNLINKED] >= threshold)
    for k in range(4):
        hold = q.pz_hold_months if k == PHASE_ZERO else q.engagement_hold_months
        s.run_start[r, k], s.reached[r, k] = outcomes.update_sustained(
            conditions[k], s.run_start[r, k], s.reached[r, k], month, hold)
    # By default phase zero ends with the commissioning decision; the threshold rule above is
    # the measurement option pz_by_threshold.
    if not q.pz_by_threshold > 0.5:
        s.reached[r, PHASE_ZERO] = s.decision_month[r]


@phase
def contract_clock(s: State, p: np.ndarray, lv: np.ndarray, r: int, t: int, p_renew: float,
                   u_funding: np.ndarray, u_shocks: np.ndarray) -> None:
    """Step 8: contracts end, renew or gap; shocks; champions come and go; next month's money."""
    q = p[r]
    gap = int(q.contract_gap_months)
    ending = s.contract_left[r] <= 1
    active, left = funding.advance_contract(s.project_active[r], s.contract_left[r],
                                            u_funding[0], p_renew, int(q.contract_months), gap)
    still_active, left = funding.funding_shock(active, left, u_shocks[1], q.funding_shock_rate,
                                               gap)
    ending = ending or (active and not still_active)
    s.project_active[r], s.contract_left[r] = still_active, left
    s.champion[r] = turnover.champion_present(s.champion[r], u_shocks[0], q.champion_leave_rate,
                                              q.champion_arrival_rate)
    if ending:
        # a new contract (or gap) starts counting afresh
        s.kpi_invited[r] = 0.0
        s.kpi_attended[r] = 0.0
    if lv[r, t, RUNWAY] > 0.5:
        # in the flexible runway project money flows without gaps, and the regime's own first
        # contract waits, fresh, for the runway's end
        s.project_active[r] = True
        s.contract_left[r] = int(q.contract_months)
    update_money(s, p, lv, r, t, s.summary[r, RECOGNITION])


@phase
def write_record(s: State, shape: Shape, r: int, row: np.ndarray) -> None:
    """The current month's values of :data:`simulation.records.METRICS` into ``row``."""
    m = s.summary[r]
    for k in range(N_SUMMARY):
        row[METRIC[k]] = m[k]
    for k in range(len(MONTHLY)):
        row[MONTHLY[k]] = s.monthly[r, k]
    ack = s.ack[r]
    row[METRIC_ACK] = ack
    row[METRIC_SYMBOLIC] = resources.symbolic_index(m[SENIOR_ENDORSEMENT], ack,
                                                    s.mean_standing[r] * m[RECOGNITION])
    row[METRIC_MATERIAL] = resources.material_index(s.funding_level[r], s.payment[r])
    row[METRIC_FUNDING] = s.funding_level[r]
    row[METRIC_PROJECT] = 1.0 if s.project_active[r] else 0.0
    row[METRIC_KPI] = s.kpi_pressure[r]
    row[METRIC_PAYMENT] = s.payment[r]
    row[METRIC_FATIGUE] = mean(s.fatigue[r])
    row[METRIC_SKILL] = mean(s.skill[r])
    row[METRIC_USER_TRUST] = mean(s.user_trust[r])
    row[METRIC_PZ_OVER] = 1.0 if s.reached[r, PHASE_ZERO] >= 0 else 0.0
    row[METRIC_ENGAGED] = 1.0 if s.reached[r, ENGAGEMENT] >= 0 else 0.0
    running = 0
    for a in range(shape.A):
        if s.activity_host[r, a] >= 0:
            running += 1
    row[METRIC_ACTIVITIES] = running
    row[METRIC_CHAMPION] = 1.0 if s.champion[r] else 0.0
    row[METRIC_HARM] = mean(s.harm[r])
