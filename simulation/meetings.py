"""Steps 1 to 4 of the month (ODD section 3): who meets, how meaningful it is, what it changes.

All of a month's meetings read the state at the start of the month; their effects are added up
in the scratch space (:class:`~simulation.state.Month`) and applied together by
:func:`apply_contact`, so meeting order never matters. :func:`meetings` is the whole of it for
one replicate, the month's "meetings" submodel.
"""

from __future__ import annotations

import numpy as np

from simulation import acknowledgement, contact, fatigue, funding, solidarity, trust, venues
from simulation.arrays import clip01, pairwise_sum
from simulation.compiled import phase
from simulation.interventions import BROKER, VENUE
from simulation.records import SENIOR_ENDORSEMENT
from simulation.state import (
    GOOD_SENIOR,
    KPI_ATTENDED,
    KPI_INVITED,
    N_ATTEND,
    N_COMMUNITY,
    N_HELD,
    N_TOKEN,
    Month,
    Shape,
    State,
    clear,
)


@phase
def meetings(s: State, p: np.ndarray, lv: np.ndarray, shape: Shape, work: Month, r: int, t: int,
             month: int, u: np.ndarray) -> None:
    """Steps 1 to 4 of replicate ``r``'s month ``month`` (lever row ``t``, contact block ``u``)."""
    clear(work)
    hold_meetings(s, p, lv, shape, work, r, t, u)                    # 1-3 contact
    senior_attendance = conference(s, p, lv, shape, r, t, month, u)  # 4
    apply_contact(s, p, shape, work, r, senior_attendance)           # 3-4
    count_meetings(s, work, r)


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
def count_meetings(s: State, work: Month, r: int) -> None:
    """The month's meetings (``s.monthly``), their running totals, and what a KPI counts.

    The month's tokenistic share of contact is kept in ``s.monthly`` too, where the service
    users' step reads it.
    """
    m = work.sums
    s.monthly[r, 0] = m[N_COMMUNITY]
    s.monthly[r, 1] = m[N_HELD] - m[N_COMMUNITY]
    s.monthly[r, 2] = m[N_TOKEN] / max(m[N_ATTEND], 1.0)
    s.meetings_community[r] += m[N_COMMUNITY]
    s.meetings_statutory[r] += m[N_HELD] - m[N_COMMUNITY]
    s.kpi_invited[r] += m[KPI_INVITED]
    s.kpi_attended[r] += m[KPI_ATTENDED]
