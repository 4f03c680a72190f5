"""The network's state as arrays with a leading replicate axis, and one month of its dynamics.

This is the model's hot path: every mechanism works on whole populations in NumPy, over all
replicates of a batch at once. The Mesa model (:mod:`simulation.model`) is the public face; its
agents read their state from a :class:`Network` with a single replicate.

Shapes: ``R`` replicates, ``C`` CBOs, ``S`` statutory officials (executives first, then senior
managers, then frontline), ``U`` service users, ``M`` meeting slots a month, ``G`` CBOs invited
to a meeting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

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
    trust,
    turnover,
    venues,
)
from simulation.arrays import clip01, row_count, row_mean
from simulation.parameters import REGISTRY, names
from simulation.streams import MonthlyBlocks, mechanism_generators

#: Outcomes tracked as sustained runs of a condition.
OUTCOMES: tuple[str, ...] = ("phase_zero", "engagement", "engagement_linked",
                             "engagement_unlinked")

#: Quantities recorded every month (month 0 is the initial state).
METRICS: tuple[str, ...] = (
    "trust_cbo_statutory",
    "recognition",
    "trust_cbo_broker",
    "trust_cbo_cbo",
    "senior_endorsement",
    "acknowledgement",
    "symbolic",
    "relational",
    "material",
    "funding_level",
    "project_funded",
    "kpi_pressure",
    "payment",
    "meetings_community",
    "meetings_statutory",
    "tokenistic_share",
    "fatigue",
    "brokerage_skill",
    "user_trust",
    "engaged_share",
    "engaged_share_linked",
    "engaged_share_unlinked",
    "harmful_encounters",
    "phase_zero_over",
    "engagement_reached",
    "readiness",
    "activities_running",
    "senior_champion",
    "harm_history",
)

_MAX_MEETINGS_PER_STAFF = REGISTRY["meetings_per_staff"].valid[1]
_MAX_STATUTORY_MEETINGS = REGISTRY["statutory_meetings_per_month"].valid[1]
_MAX_ACTIVITIES = int(REGISTRY["coproduction_activities"].valid[1])
_STRUCTURE = tuple(names("structure")) + ("horizon_months",)


class Network:
    """State and monthly dynamics of ``R`` independent replicates sharing their structure.

    ``params`` is one resolved parameter dict per replicate; they may differ in everything but
    the structure parameters and the horizon. ``seeds`` gives each replicate its own seed.
    ``record`` is ``"full"`` to keep every month's :data:`METRICS` in :attr:`history` (shape
    (months + 1, R)), ``"current"`` to keep only this month's (row 0), or ``"none"`` to keep
    only the state and the outcomes, which is fastest.
    """

    def __init__(self, params: Sequence[Mapping[str, Any]], seeds: Sequence[int],
                 record: str = "full") -> None:
        if len(params) != len(seeds) or not params:
            raise ValueError("need one parameter dict per seed, and at least one")
        first = params[0]
        for p in params[1:]:
            for n in _STRUCTURE:
                if p[n] != first[n]:
                    raise ValueError(
                        f"replicates of one batch must share structure parameter '{n}'"
                    )
        self.R = R = len(params)
        self.horizon = int(first["horizon_months"])
        self.C = C = int(first["n_cbos"])
        self.n_exec = int(first["n_executives"])
        self.n_senior_tier = self.n_exec + int(first["n_senior_managers"])
        self.n_frontline = int(first["n_frontline"])
        self.S = S = self.n_senior_tier + self.n_frontline
        self.U = U = int(first["n_service_users"])
        self.G = G = min(int(first["meeting_size"]), C)
        self.broker_staff = int(first["broker_staff"])
        # Meeting slots a month: the most any lever or behaviour value could ask for, so that the
        # size of the contact stream's monthly block depends on the structure alone.
        self.M = M = int(np.ceil(max(self.broker_staff * _MAX_MEETINGS_PER_STAFF,
                                     _MAX_STATUTORY_MEETINGS)))
        # Every non-structure parameter as an (R,) float array, so replicates may differ; the
        # shaped views save reshaping in the monthly step.
        self.p = {n: np.array([float(q[n]) for q in params]) for n in REGISTRY
                  if REGISTRY[n].kind != "structure"}
        self.p2 = {n: v[:, None] for n, v in self.p.items()}
        p = self.p
        self.month = 0
        # Levers that timed interventions may change are re-read each month, but only in runs
        # that schedule any: the others keep month 0's values throughout.
        self._timed = any(bool(p[n].any()) for n in interventions.TIMED)
        self._set_levers(interventions.levers_at(0, p))
        self._contract_months = p["contract_months"].astype(np.int64)
        self._gap_months = p["contract_gap_months"].astype(np.int64)
        self._zeros = np.zeros(R)
        # In a meeting a CBO convenes, the first invitee slot is the convener itself.
        self._convener = np.arange(G) == 0
        self._mediation = p["mediation_effect"] * p["broker_credibility"]
        self._conference_period = p["conference_period_months"].astype(np.int64)

        # Meeting slots: 0..M-1 are convened by the broker (or, without one, statutory bodies),
        # M..M+C-1 by each CBO itself, the last A are the sessions of commissioned activities.
        # Every slot draws the same uniforms each month.
        self.A = A = _MAX_ACTIVITIES
        N = M + C + A
        widths = {"held": N, "type": N, "rank": N, "official": N, "venue": N, "order": N * G,
                  "attend": N * G, "noise": N * G, "conference": max(self.n_senior_tier, 1)}
        ends = np.cumsum(list(widths.values()))
        self._slices = {k: slice(e - w, e) for (k, w), e in zip(widths.items(), ends, strict=True)}

        gens = [mechanism_generators(seed) for seed in seeds]
        self._initialise(params, [g["init"] for g in gens])
        self._contact = MonthlyBlocks([g["contact"] for g in gens], int(ends[-1]))
        self._funding = MonthlyBlocks([g["funding"] for g in gens], 1)
        # who leaves, and the level each newcomer brings
        self._turnover = MonthlyBlocks([g["turnover"] for g in gens], 2 * S)
        self._engagement = MonthlyBlocks([g["engagement"] for g in gens], U)
        # a commissioning round, the decision, and a host for each activity that may start
        self._commissioning = MonthlyBlocks([g["commissioning"] for g in gens], 2 + A)
        # the senior champion, and a funding shock
        self._shocks = MonthlyBlocks([g["shocks"] for g in gens], 2)

        rank_turnover = np.concatenate([
            np.repeat(p["turnover_executive"][:, None], self.n_exec, axis=1),
            np.repeat(p["turnover_senior"][:, None], self.n_senior_tier - self.n_exec, axis=1),
            np.repeat(p["turnover_frontline"][:, None], self.n_frontline, axis=1),
        ], axis=1)
        self.leave_probability = turnover.monthly_leaving_probability(rank_turnover)
        self.summary: dict[str, np.ndarray] = {}
        self._summarise()
        if record not in ("full", "current", "none"):
            raise ValueError(f"record must be 'full', 'current' or 'none', got {record!r}")
        self.record = record
        self.history = {m: np.zeros((self.horizon + 1 if record == "full" else 1, R))
                        for m in METRICS}
        self._record()

    # ------------------------------------------------------------------ initial state
    def _initialise(self, params: Sequence[Mapping[str, Any]], gens: list) -> None:
        C, S, U, p, p2 = self.C, self.S, self.U, self.p, self.p2
        # One fixed-size draw from the initial-state stream, split by what it initialises.
        widths = [2, C, C, C, C, S, S, C, U, U, U, U, U]
        draws = np.stack([g.random(sum(widths)) for g in gens])
        (u_net, u_stand, u_level, u_ts, u_tb, u_olevel, u_rec, u_cc, u_member, u_first,
         u_second, u_harm, u_threshold) = np.split(draws, np.cumsum(widths)[:-1], axis=1)

        # Network-level effects: this place's statutory culture and its community's history.
        self.statutory_culture = heterogeneity.centred(u_net[:, 0], p["culture_spread"])
        self.community_history = heterogeneity.centred(u_net[:, 1], p["history_spread"])
        spread = p2["initial_trust_spread"]
        n_faith = int(round(float(params[0]["faith_share"]) * C))
        self.faith = np.arange(C) < n_faith
        self.standing = clip01(p2["standing_mean"]
                               + heterogeneity.centred(u_stand, p2["standing_spread"])
                               + p2["faith_standing_bonus"] * self.faith)
        self._mean_standing = row_mean(self.standing)
        # Leader standing is fixed for the run, so what it amplifies is computed once.
        self.standing_amp = engagement.standing_factor(self.standing, p2["standing_weight"])
        self.cbo_level = heterogeneity.centred(u_level, p2["cbo_level_spread"])
        self.official_level = self.statutory_culture[:, None] + heterogeneity.centred(
            u_olevel, p2["official_level_spread"])
        self.trust_statutory = heterogeneity.around(
            p["initial_trust_statutory"] - self.community_history, u_ts, spread)
        self.trust_broker = heterogeneity.around(p["initial_trust_broker"], u_tb, spread)
        # An open statutory culture also starts officials closer to recognising CBOs.
        self.recognition = heterogeneity.around(p["initial_recognition"] + self.statutory_culture,
                                                u_rec, spread)
        # Each CBO's trust toward the other CBOs as a group: its solidarity.
        self.solidarity = heterogeneity.around(p["initial_trust_cbo"], u_cc, spread)
        self.endorsement = self.recognition.copy()
        self.skill = clip01(p2["initial_skill"] + self.cbo_level)
        self.fatigue = np.zeros((self.R, C))
        self.ack = np.zeros(self.R)
        # Baselines that trust drifts back to without contact: where history left it.
        self.base_statutory = self.trust_statutory.copy()
        self.base_broker = self.trust_broker.copy()
        self.base_recognition = self.recognition.copy()
        self.base_solidarity = self.solidarity.copy()

        no_cbo = float(params[0]["share_users_no_cbo"])
        two = float(params[0]["share_users_two_cbos"])
        first = np.minimum((u_first * C).astype(np.int64), C - 1)
        other = (first + 1 + np.minimum((u_second * (C - 1)).astype(np.int64), C - 2)) % C
        self.first_cbo = np.where(u_member < no_cbo, -1, first)
        self.second_cbo = np.where((u_member >= 1.0 - two) & (C > 1), other, -1)
        self.second_cbo = np.where(self.first_cbo < 0, -1, self.second_cbo)
        self.linked = self.first_cbo >= 0
        self.n_linked = row_count(self.linked)
        self.membership = engagement.membership_index(self.first_cbo, self.second_cbo, C)
        self.members = engagement.member_counts(self.membership, self.R, C)
        # History of harm by services, heterogeneous; it lowers starting trust and slows learning.
        self.harm = clip01(u_harm + self.community_history[:, None])
        self.user_trust = p["su_initial_trust"][:, None] * (1.0 - p["harm_weight"][:, None]
                                                            * self.harm)
        self.user_learning = p["su_learning"][:, None] * (1.0 - p["harm_weight"][:, None]
                                                          * self.harm)
        self.threshold = clip01(p["su_threshold_mean"][:, None] + p["su_threshold_spread"][:, None]
                                 * (2.0 * u_threshold - 1.0))
        self.engaged = engagement.is_engaged(self.user_trust, self.threshold)

        self.project_active = np.ones(self.R, bool)
        self.contract_left = p["contract_months"].astype(np.int64)
        # What a KPI-tied funder counts over the current contract: CBOs invited to, and
        # attending, the meetings the broker (or statutory bodies) convene.
        self.kpi_invited = np.zeros(self.R)
        self.kpi_attended = np.zeros(self.R)
        # The commissioning decision and the activities that follow it: each activity's host
        # CBO (-1: none running) and months left.
        self.commissioned = np.zeros(self.R, bool)
        self.decision_month = np.full(self.R, outcomes.NOT_REACHED)
        self.activity_host = np.full((self.R, self.A), -1, np.int64)
        self.activity_left = np.zeros((self.R, self.A), np.int64)
        self.hosting = np.zeros((self.R, C))
        self._n_activities = p["coproduction_activities"].astype(np.int64)
        self._activity_months = p["activity_months"].astype(np.int64)
        self._by_threshold = p["pz_by_threshold"] > 0.5
        # Senior officials engage while a champion is in post (section 7.13).
        self.champion = self.levers.senior_engagement > 0.5
        # The four tracked outcomes, stacked in the order of OUTCOMES: shape (4, R).
        self.run_start = np.full((len(OUTCOMES), self.R), outcomes.NOT_REACHED)
        self.reached = np.full((len(OUTCOMES), self.R), outcomes.NOT_REACHED)
        self._hold = np.stack([p["pz_hold_months"]] + [p["engagement_hold_months"]] * 3)
        self.meetings = {"community": np.zeros(self.R), "statutory": np.zeros(self.R)}
        self.harmful_total = np.zeros(self.R)
        self._monthly = {
            "meetings_community": np.zeros(self.R),
            "meetings_statutory": np.zeros(self.R),
            "tokenistic_share": np.zeros(self.R),
            "harmful_encounters": np.zeros(self.R),
        }
        self._update_money(row_mean(self.recognition))

    # ------------------------------------------------------------------ derived quantities
    def _set_levers(self, levers: interventions.Levers) -> None:
        """Hold the levers in force this month, and what follows from them."""
        self.levers = levers
        self.has_broker = levers.broker_present > 0.5
        # Core funding is the broker's: without a broker there is none to have (levers_at).
        self.core_funded = levers.core_funding
        self._conference = self.p["annual_conference"] * levers.broker_present

    def _update_money(self, mean_recognition: np.ndarray) -> None:
        p = self.p
        self._money_recognition = mean_recognition
        project = self.project_active & self.levers.project_allowed
        self.funding_level = funding.funding_level(
            self.core_funded, p["core_capacity"], project, p["project_capacity"])
        self.kpi_pressure = funding.kpi_pressure(
            self.levers.kpi_tied, project, self.core_funded, p["core_independence"])
        self.payment = funding.payment_level(
            p["pay_contributions"], self.funding_level, p["payment_floor"], mean_recognition)
        # a CBO hosting a commissioned activity is paid for it in full
        self.payment_cbo = np.maximum(self.payment[:, None], self.hosting)

    # ------------------------------------------------------------------ one month
    def step(self) -> None:
        """Advance every replicate by one month, in the order of ODD section 3.

        All meetings of the month read the state at the start of the month; their effects are
        added up and applied together, then the statutory side, service users and contracts move.
        """
        self.month += 1
        p, p2 = self.p, self.p2
        if self._timed:
            self._set_levers(interventions.levers_at(self.month, p))
            self.champion = interventions.champion_events(self.champion, self.month, p)
            self._update_money(self._money_recognition)
        levers = self.levers
        R, C, S, M, G = self.R, self.C, self.S, self.M, self.G
        seniors_engage = np.where(self.champion, 1.0, 0.0)
        solid = self.solidarity
        voice = solidarity.voice_factor(solid, p2["solidarity_weight"])

        # ---- contact: which slots hold a meeting. The broker's (or statutory bodies') slots
        # follow capacity; a CBO convenes its own with a probability that grows with its skill;
        # each running commissioned activity holds a session. Only held meetings are worked on
        # (a few of the month's slots), each with its replicate index r.
        u = self._contact.next_block()
        sl = self._slices
        u_held = u[:, sl["held"]]
        capacity = contact.meeting_capacity(
            levers.broker_present, self.broker_staff, p["meetings_per_staff"],
            funding.broker_capacity_factor(self.funding_level, p["broker_persistence"]),
            p["statutory_meetings_per_month"], M)
        held = np.concatenate([contact.active_slots(capacity, u_held[:, :M]),
                               u_held[:, M:M + C] < self.skill * p2["self_contact_rate"],
                               self.activity_host >= 0], axis=1)
        r, slot = np.nonzero(held)                                   # the K meetings held
        rk = r[:, None]
        own = slot >= M                          # convened by a CBO: its own, or an activity
        activity = slot >= M + C
        c = np.where(activity, self.activity_host[r, np.maximum(slot - M - C, 0)],
                     np.maximum(slot - M, 0))                        # convening CBO (if own)
        has_broker = self.has_broker[r]
        mediated = ~own & has_broker
        among = ((own | has_broker) & ~activity
                 & (u[:, sl["type"]][r, slot] < p["cbo_meeting_share"][r]))
        with_official = ~among
        venue_share = np.where(has_broker, levers.venue_community_share[r],
                               p["statutory_venue_share"][r])
        community = own | venues.in_community_venue(u[:, sl["venue"]][r, slot], venue_share)
        # A CBO invites a senior official when seniors engage; an activity's session has an
        # official of any rank, in proportion to the ranks.
        senior_fraction = self.n_senior_tier / S
        p_senior = np.where(
            own, seniors_engage[r] * np.where(activity, senior_fraction, 1.0),
            contact.senior_share(seniors_engage, p["senior_priority"],
                                 self.summary["senior_endorsement"], senior_fraction)[r])
        official, senior = contact.pick_officials(
            u[:, sl["rank"]][r, slot], u[:, sl["official"]][r, slot], p_senior,
            self.n_senior_tier, self.n_frontline)
        senior &= with_official
        order = u[:, sl["order"]].reshape(R, -1, G)[r, slot]
        invitees = np.where(
            own[:, None],
            np.concatenate([c[:, None], contact.pick_others(order[:, : G - 1], C, c)], axis=1),
            contact.pick_distinct(order, C))                         # (K, G)

        # ---- who comes: invitees attend if they trust whoever convenes
        t_broker = self.trust_broker[rk, invitees]
        t_stat = self.trust_statutory[rk, invitees]
        fat = self.fatigue[rk, invitees]
        convener_trust = np.where(own[:, None], solid[rk, invitees],
                                  np.where(has_broker[:, None], t_broker, t_stat))
        attend = (u[:, sl["attend"]].reshape(R, -1, G)[r, slot]
                  < contact.attendance_probability(convener_trust,
                                                   p["attendance_trust_weight"][rk], fat))
        attend |= own[:, None] & self._convener

        # ---- quality of contact, and how meaningful it is for each attendee
        noise = u[:, sl["noise"]].reshape(R, -1, G)[r, slot]
        quality = contact.contact_quality(
            base=p["quality_base"][rk],
            cbo_level=self.cbo_level[rk, invitees],
            official_level=(with_official * self.official_level[r, official])[:, None],
            venue=venues.venue_quality(community, p["venue_effect"][r])[:, None],
            mediation=(self._mediation[r] * mediated)[:, None] * t_broker,
            senior=senior[:, None] * p["senior_effect"][rk],
            material=p["material_effect"][rk] * self.payment_cbo[rk, invitees],
            solidarity=with_official[:, None] * p["solidarity_effect"][rk] * solid[rk, invitees],
            kpi=(p["kpi_effect"] * self.kpi_pressure)[rk],
            fatigue=p["fatigue_effect"][rk] * fat,
            noise=p["quality_noise"][rk] * (2.0 * noise - 1.0),
        )
        meaning = trust.meaningful(quality, p["tokenism_threshold"][rk], p["quality_width"][rk])
        gain, asym = p["trust_gain"][rk], p["trust_loss_asymmetry"][rk]
        met_official = attend & with_official[:, None]
        met_cbos = attend & among[:, None]
        # solidarity needs another CBO in the room
        met_peers = met_cbos & (met_cbos.sum(axis=1) >= 2)[:, None]
        met_broker = attend & mediated[:, None]
        official_k = np.broadcast_to(official[:, None], invitees.shape)
        skill_weight = np.where(mediated, 1.0, p["unmediated_skill_share"][r])

        # Everything that accrues to CBOs, added up in one pass: trust toward statutory partners,
        # toward the broker and (in meetings among CBOs only) toward the other CBOs, brokerage
        # skill (learned from meaningful contact with senior officials, more when the broker
        # mediates), and contact counts.
        d_stat, d_broker, d_solid, d_skill, n_stat, n_broker, n_among, n_peers = _add_up(
            rk * C + invitees, (R, C), (
                met_official * trust.contact_trust_change(t_stat, meaning, gain, asym),
                met_broker * trust.contact_trust_change(t_broker, meaning, gain, asym),
                met_peers * trust.contact_trust_change(solid[rk, invitees], meaning,
                                                       p["solidarity_gain"][rk], asym),
                met_official * meaning * (senior * skill_weight)[:, None],
                met_official, met_broker, met_cbos, met_peers))
        # Officials' recognition, scaled by the standing and the collective voice of the CBOs
        # they hear.
        d_recog, n_official = _add_up(rk * S + official_k, (R, S), (
            met_official * trust.contact_trust_change(
                self.recognition[rk, official_k], meaning,
                gain * self.standing_amp[rk, invitees] * voice[rk, invitees], asym),
            met_official))
        # Meetings with a senior official add to acknowledgement, each weighted by how
        # meaningful it was for those present.
        n_present = met_official.sum(axis=1)
        meeting_meaning = (met_official * meaning).sum(axis=1) / np.maximum(n_present, 1)
        good_senior = np.bincount(r, senior * meeting_meaning, minlength=R)
        # What a KPI-tied funder counts: attendance at the meetings the broker convenes.
        convened = slot < M
        self.kpi_invited += np.bincount(r, convened * G, minlength=R)
        self.kpi_attended += np.bincount(r, (attend & convened[:, None]).sum(axis=1),
                                         minlength=R)

        # ---- the conference: senior officials bear witness
        senior_attendance = self._zeros
        if self.n_senior_tier > 0:
            now = acknowledgement.is_conference_month(self.month, self._conference_period)
            if now.any():
                there = u[:, sl["conference"]] < self.endorsement[:, : self.n_senior_tier]
                senior_attendance = row_mean(there) * self._conference * seniors_engage * now

        # ---- apply the month's accumulated effects
        decay = p["trust_decay"]
        self.trust_statutory = _settle(self.trust_statutory, d_stat, n_stat,
                                       self.base_statutory, decay)
        self.recognition = _settle(self.recognition, d_recog, n_official,
                                   self.base_recognition, decay)
        self.trust_broker = _settle(self.trust_broker, d_broker, n_broker, self.base_broker, decay)
        self.solidarity = _settle(self.solidarity, d_solid, n_peers, self.base_solidarity, decay)
        self.skill = clip01(self.skill + p2["skill_gain"] * d_skill * (1.0 - self.skill))
        self.fatigue = fatigue.update_fatigue(self.fatigue, n_stat + n_among, self.payment_cbo,
                                              p2["fatigue_rate"], p2["fatigue_recovery"])
        self.ack = acknowledgement.update_acknowledgement(
            self.ack, senior_attendance, p["acknowledgement_conference_gain"], good_senior,
            p["acknowledgement_meeting_gain"], p["acknowledgement_decay"])

        # ---- statutory side: learning spreads, endorsement follows recognition, turnover
        org_mean = row_mean(self.recognition)
        self.recognition = trust.drift_toward(self.recognition, org_mean[:, None],
                                              p2["org_diffusion"])
        self.endorsement += p2["endorsement_rate"] * (self.recognition - self.endorsement)
        ut = self._turnover.next_block()
        left = turnover.leavers(ut[:, :S], self.leave_probability)
        if left.any():
            memory = trust.organisational_memory(p["memory_base"], self._senior_endorsement())
            # a newcomer starts as a stranger of this place's culture would
            start = clip01(p["initial_recognition"] + self.statutory_culture)
            newcomer = trust.inherited_level(row_mean(self.recognition), start, memory)
            self.recognition = np.where(left, newcomer[:, None], self.recognition)
            self.endorsement = np.where(left, (memory * newcomer)[:, None], self.endorsement)
            self.base_recognition = np.where(left, start[:, None], self.base_recognition)
            level = self.statutory_culture[:, None] + heterogeneity.centred(
                ut[:, S:], p2["official_level_spread"])
            self.official_level = np.where(left, level, self.official_level)

        # ---- service users
        n_attend = np.bincount(r, attend.sum(axis=1), minlength=R)
        n_token = np.bincount(r, (attend * (1.0 - meaning)).sum(axis=1), minlength=R)
        tokenistic_share = n_token / np.maximum(n_attend, 1)
        relay = engagement.cbo_relay(self.trust_statutory, self.standing_amp)
        heard = engagement.what_members_hear(
            relay, self.hosting, p2["activity_reach"],
            engagement.members_engaged(self.engaged, self.membership, self.members),
            p2["word_of_mouth"])
        safety = engagement.perceived_safety(self.ack, heard, self.membership, self.linked,
                                             p["unlinked_reach"], p["acknowledgement_weight"])
        self.user_trust = engagement.update_user_trust(
            self.user_trust, safety, self.user_learning, p2["trust_loss_asymmetry"])
        harmed = harm.harmful_encounters(
            self._engagement.next_block(),
            harm.everyday_rate(p["everyday_harm_rate"], self.ack, p["harm_protection"]),
            harm.recruitment_rate(p["direct_recruitment"], self.kpi_pressure,
                                  p["kpi_recruitment"], self.ack, p["acknowledgement_safe"]),
            self.engaged, p["encounter_rate"], tokenistic_share)
        self.user_trust = clip01(self.user_trust - harmed * p2["tokenism_shock"])
        self.harm = harm.grow_history(self.harm, harmed, p2["harm_growth"])
        self.user_learning = harm.learning_rate(p2["su_learning"], p2["harm_weight"], self.harm)
        if self._timed:
            incident = (p["harmful_incident_month"], p["harmful_incident_size"])
            self.user_trust = interventions.incident_shock(self.user_trust, self.month, *incident)
            self.trust_statutory = interventions.incident_shock(self.trust_statutory, self.month,
                                                                *incident)
        self.engaged = engagement.is_engaged(self.user_trust, self.threshold)

        # ---- book-keeping, outcomes, then the contract clock for next month
        meeting_held = attend.any(axis=1)
        n_held = np.bincount(r, meeting_held, minlength=R)
        n_community = np.bincount(r, meeting_held & community, minlength=R)
        self._monthly = {
            "meetings_community": n_community,
            "meetings_statutory": n_held - n_community,
            "tokenistic_share": tokenistic_share,
            "harmful_encounters": row_count(harmed),
        }
        self.meetings["community"] += self._monthly["meetings_community"]
        self.meetings["statutory"] += self._monthly["meetings_statutory"]
        self.harmful_total += self._monthly["harmful_encounters"]
        self._summarise()

        # ---- commissioning: in an open round a statutory body may commission coproduction,
        # the more likely the readier the network; running activities count down
        p_renew = funding.renewal_probability(
            levers.kpi_tied, self.summary["relational"], p["renewal_base"],
            self.kpi_attended / np.maximum(self.kpi_invited, 1.0), p["kpi_target"])
        self._commission(self._commissioning.next_block(), levers)
        self._track_outcomes()

        # ---- the contract clock, shocks and champions, for next month
        ending = self.contract_left <= 1
        shocks = self._shocks.next_block()
        self.project_active, self.contract_left = funding.advance_contracts(
            self.project_active, self.contract_left, self._funding.next_block()[:, 0], p_renew,
            self._contract_months, self._gap_months)
        was_active = self.project_active
        self.project_active, self.contract_left = funding.funding_shock(
            self.project_active, self.contract_left, shocks[:, 1], p["funding_shock_rate"],
            self._gap_months)
        ending |= was_active & ~self.project_active
        self.champion = turnover.champion_present(self.champion, shocks[:, 0],
                                                  p["champion_leave_rate"],
                                                  p["champion_arrival_rate"])
        if ending.any():
            # a new contract (or gap) starts counting afresh
            self.kpi_invited = np.where(ending, 0.0, self.kpi_invited)
            self.kpi_attended = np.where(ending, 0.0, self.kpi_attended)
        if self._timed:
            self.project_active, self.contract_left = interventions.hold_contracts_in_runway(
                self.project_active, self.contract_left, levers.in_runway, self._contract_months)
        self._update_money(self.summary["recognition"])
        if self.record != "none":
            self._record()

    def _commission(self, u: np.ndarray, levers: interventions.Levers) -> None:
        """The commissioning decision, and the activities that run after it (ODD 7.13)."""
        p, s = self.p, self.summary
        self.activity_left = np.maximum(self.activity_left - 1, 0)
        self.activity_host = np.where(self.activity_left > 0, self.activity_host, -1)
        rounds = commissioning.round_opens(u[:, 0], p["commissioning_interval_months"],
                                           levers.project_allowed)
        commissions = u[:, 1] < commissioning.decision_probability(
            s["readiness"], rounds, p["commissioning_rate"], p["commissioning_threshold"],
            p["commissioning_width"])
        first = commissions & ~self.commissioned
        self.decision_month = np.where(first, self.month, self.decision_month)
        self.commissioned |= commissions
        # a commissioning round fills every activity slot that is free, each with a new host
        free = ((self.activity_host < 0) & commissions[:, None]
                & (np.arange(self.A) < self._n_activities[:, None]))
        if free.any():
            host = commissioning.pick_host(u[:, 2:], self.C)
            self.activity_host = np.where(free, host, self.activity_host)
            self.activity_left = np.where(free, self._activity_months[:, None],
                                          self.activity_left)
        hosting = np.zeros((self.R, self.C + 1))
        rows = np.repeat(np.arange(self.R), self.A)
        np.maximum.at(hosting, (rows, np.where(self.activity_host < 0, self.C,
                                               self.activity_host).ravel()), 1.0)
        self.hosting = hosting[:, : self.C]

    # ------------------------------------------------------------------ outputs
    def _senior_endorsement(self) -> np.ndarray:
        if self.n_senior_tier == 0:
            return self._zeros
        return row_mean(self.endorsement[:, : self.n_senior_tier])

    def _summarise(self) -> None:
        """Network-level means of the month, computed once for outcomes, records and renewal."""
        s = self.summary
        s["trust_cbo_statutory"] = np.add.reduce(self.trust_statutory, axis=1) / self.C
        s["recognition"] = np.add.reduce(self.recognition, axis=1) / self.S
        s["trust_cbo_broker"] = np.add.reduce(self.trust_broker, axis=1) / self.C
        s["trust_cbo_cbo"] = row_mean(self.solidarity)
        s["senior_endorsement"] = self._senior_endorsement()
        s["relational"] = resources.relational_index(
            s["trust_cbo_statutory"], s["recognition"], s["trust_cbo_broker"], s["trust_cbo_cbo"],
            self.levers.broker_present)
        s["readiness"] = commissioning.readiness(s["trust_cbo_statutory"], s["recognition"],
                                                 s["senior_endorsement"])
        n_linked = row_count(self.engaged & self.linked)
        n_engaged = row_count(self.engaged)
        s["engaged_share"] = n_engaged / self.U
        s["engaged_share_linked"] = n_linked / np.maximum(self.n_linked, 1)
        s["engaged_share_unlinked"] = (n_engaged - n_linked) / np.maximum(self.U - self.n_linked, 1)

    def _track_outcomes(self) -> None:
        p, s = self.p, self.summary
        thr = p["engagement_threshold"]
        conditions = np.stack([
            (s["trust_cbo_statutory"] >= p["pz_trust_threshold"])
            & (s["recognition"] >= p["pz_recognition_threshold"])
            & (s["senior_endorsement"] >= p["pz_endorsement_threshold"]),
            s["engaged_share"] >= thr,
            s["engaged_share_linked"] >= thr,
            s["engaged_share_unlinked"] >= thr,
        ])
        self.run_start, self.reached = outcomes.update_sustained(
            conditions, self.run_start, self.reached, self.month, self._hold)
        # By default phase zero ends with the commissioning decision; the threshold rule above
        # is the measurement option pz_by_threshold.
        self.reached[0] = np.where(self._by_threshold, self.reached[0], self.decision_month)

    def _record(self) -> None:
        h, s = self.history, self.summary
        t = self.month if self.record == "full" else 0
        for k in _SUMMARY_METRICS:
            h[k][t] = s[k]
        for k, v in self._monthly.items():
            h[k][t] = v
        h["acknowledgement"][t] = self.ack
        h["symbolic"][t] = resources.symbolic_index(
            s["senior_endorsement"], self.ack, self._mean_standing * s["recognition"])
        h["material"][t] = resources.material_index(self.funding_level, self.payment)
        h["funding_level"][t] = self.funding_level
        h["project_funded"][t] = self.project_active
        h["kpi_pressure"][t] = self.kpi_pressure
        h["payment"][t] = self.payment
        h["fatigue"][t] = row_mean(self.fatigue)
        h["brokerage_skill"][t] = row_mean(self.skill)
        h["user_trust"][t] = row_mean(self.user_trust)
        h["phase_zero_over"][t] = self.reached[0] >= 0
        h["engagement_reached"][t] = self.reached[1] >= 0
        h["activities_running"][t] = row_count(self.activity_host >= 0)
        h["senior_champion"][t] = self.champion
        h["harm_history"][t] = row_mean(self.harm)

    def final_state(self) -> dict[str, np.ndarray]:
        """Outcomes and end-of-run indices of every replicate, as (R,) arrays.

        Computed from the state, not the history, so it is the same whatever ``record`` is.
        """
        s = self.summary
        out = {f"{name}_month": self.reached[i] for i, name in enumerate(OUTCOMES)}
        out.update({k: s[k] for k in _SUMMARY_METRICS})
        out["acknowledgement"] = self.ack
        out["symbolic"] = resources.symbolic_index(
            s["senior_endorsement"], self.ack, self._mean_standing * s["recognition"])
        out["material"] = resources.material_index(self.funding_level, self.payment)
        out["payment"] = self.payment
        out["fatigue"] = row_mean(self.fatigue)
        out["brokerage_skill"] = row_mean(self.skill)
        out["user_trust"] = row_mean(self.user_trust)
        out["meetings_community"] = self.meetings["community"]
        out["meetings_statutory"] = self.meetings["statutory"]
        out["harmful_encounters"] = self.harmful_total
        out["readiness"] = s["readiness"]
        out["harm_history"] = row_mean(self.harm)
        return out

    def run(self) -> None:
        """Run every replicate to the horizon."""
        while self.month < self.horizon:
            self.step()


_SUMMARY_METRICS = ("trust_cbo_statutory", "recognition", "trust_cbo_broker", "trust_cbo_cbo",
                    "readiness",
                    "senior_endorsement", "relational", "engaged_share", "engaged_share_linked",
                    "engaged_share_unlinked")


def _add_up(index: np.ndarray, shape: tuple[int, ...], weights: tuple[np.ndarray, ...]
            ) -> tuple[np.ndarray, ...]:
    """Each weight array's values added up at ``index``, in one ``bincount``.

    ``index`` holds flat indices into an array of ``shape`` (replicate offsets included); one
    array of that shape is returned per weight array.
    """
    n = int(np.prod(shape))
    flat = (index.reshape(1, -1) + (np.arange(len(weights)) * n)[:, None]).ravel()
    values = np.concatenate([np.ravel(w) for w in weights]).astype(float, copy=False)
    return tuple(np.bincount(flat, values, minlength=len(weights) * n)
                 .reshape((len(weights),) + shape))


def _settle(value: np.ndarray, delta: np.ndarray | float, contacts: np.ndarray | float,
            baseline: np.ndarray, decay: np.ndarray) -> np.ndarray:
    """Add a month's accumulated change; values without contact drift back to their baseline."""
    decay = decay.reshape((-1,) + (1,) * (value.ndim - 1))
    drifted = trust.drift_toward(value, baseline, decay)
    return clip01(np.where(np.asarray(contacts) > 0, value + delta, drifted))
